"""Several domains, one site: each origin's scan is its part of one inventory, an item seen on
several origins is listed once with `seen_on`, and the revision rises only when what visitors are
told changes. Real scanner, real Chromium, fixture sites on two registrable domains."""

from __future__ import annotations

import json

import pytest

from consentkit.db import get_db
from consentkit.scans.inventory import merge_items, site_inventory
from consentkit.scans.site_scan import scan_options, scan_site
from consentkit.sites import registry as sites
from tests.sites import serve
from tests.sites.tiny import TinySites

SHOP, BOOKING = "www.fjord-shop.test", "booking.fjord-booking.test"


def resolve_args(server) -> list[str]:
    return [arg for rule in server.resolve(TinySites.hosts(SHOP, BOOKING)) for arg in ("--resolve", rule)]


def inventory(app, key: str) -> dict[str, dict]:
    with get_db(app).session() as session:
        return {item["name"]: item for item in site_inventory(session, sites.get_site(session, key))}


def revision(app, key: str) -> int:
    with get_db(app).session() as session:
        return sites.get_site(session, key).revision


@pytest.mark.browser
def test_two_registrable_domains_scan_into_one_inventory_and_rescans_keep_the_revision(runner, app):
    with get_db(app).session() as session:
        key = sites.create_site(session, name="Fjord", origins=[TinySites.origin(SHOP),
                                                               TinySites.origin(BOOKING)]).key
    tiny = TinySites()
    with serve(tiny.app()) as server:
        common = ["--site", key, "--ignore-https-errors", "--phases", "before", "--max-pages", "2",
                  *resolve_args(server)]
        first = runner.invoke("scan", *common)  # no URL: every origin of the site
        assert first.exit_code == 0, first.output
        assert "stored scan 1" in first.stdout and "stored scan 2" in first.stdout
        items = inventory(app, key)
        assert items["trk"]["seen_on"] == [TinySites.origin(SHOP), TinySites.origin(BOOKING)]
        assert items["fjord-shop_pref"]["seen_on"] == [TinySites.origin(SHOP)]
        assert items["booking_pref"]["seen_on"] == [TinySites.origin(BOOKING)]
        after_first = revision(app, key)
        assert after_first > 1

        again = runner.invoke("scan", *common)  # the same inventory: nobody is asked again
        assert again.exit_code == 0 and "visitors will be asked again" not in again.stdout
        assert "since scan 1: 0 new, 0 gone, 0 new violations" in again.stdout
        assert revision(app, key) == after_first

        tiny.extra[BOOKING] = ["booking_ab"]  # only the booking site changes, only it is scanned
        one = runner.invoke("scan", TinySites.url(BOOKING), *common)
        assert one.exit_code == 0 and "since scan 4: 1 new, 0 gone" in one.stdout
    items = inventory(app, key)
    assert {"fjord-shop_pref", "booking_pref", "booking_ab", "trk"} <= set(items)  # the shop's part stays
    assert items["booking_ab"]["seen_on"] == [TinySites.origin(BOOKING)]
    assert revision(app, key) == after_first + 1

    # The declaration is the same inventory: both domains' items, each scanned URL named.
    declared = runner.invoke("declaration", "--site", key, "--lang", "en", "--format", "json")
    assert declared.exit_code == 0, declared.output
    names = {item["name"] for section in json.loads(declared.stdout)["sections"]
             for item in section["items"]}
    assert {"fjord-shop_pref", "booking_pref", "booking_ab", "trk"} <= names
    assert SHOP in declared.stdout and BOOKING in declared.stdout


@pytest.mark.browser
def test_scan_site_is_the_library_function_behind_all_of_them(app):
    with get_db(app).session() as session:
        key = sites.create_site(session, name="Shop", origins=[TinySites.origin(SHOP)]).key
    tiny = TinySites()
    with serve(tiny.app()) as server:
        options = scan_options({"resolve": list(server.resolve(TinySites.hosts(SHOP))), "max_pages": 1,
                                "ignore_https_errors": True, "phases": ["before"]})
        reports = []
        result = scan_site(app, key, [TinySites.url(SHOP)], options,
                           on_report=lambda url, report: reports.append(url))
    assert reports == [TinySites.url(SHOP)] and not result.failed and result.bumped
    (origin,) = result.origins
    assert origin.diff["previous_scan_id"] is None
    assert {i["name"] for i in origin.diff["new"]} == {"fjord-shop_pref", "trk"}
    assert origin.report["notes"] == []  # the classifier was given: no "no classifier" note


def item(name: str, origin: str, category: str, phases: list[str], lifetime: int | None) -> dict:
    return {"name": name, "kind": "cookie", "domain": "tracker.example", "party": "third",
            "lifetime_seconds": lifetime, "category": category, "provider": category.title(),
            "purpose": {"nb": "", "en": ""}, "reason": "", "confidence": "high", "needs_review": False,
            "set_by": "", "first_seen_url": origin + "/", "phases": phases, "seen_on": [origin]}


def test_one_item_on_two_origins_keeps_the_classification_that_asks_most_consent():
    shop = [item("t", "https://shop.no", "necessary", ["before"], 3600)]
    booking = [item("t", "https://booking.com", "marketing", ["accept"], 86400)]
    (merged,) = merge_items([shop, booking])
    assert merged["seen_on"] == ["https://shop.no", "https://booking.com"]
    assert (merged["category"], merged["provider"]) == ("marketing", "Marketing")
    assert merged["phases"] == ["before", "accept"] and merged["lifetime_seconds"] == 86400
    (unknown,) = merge_items([shop, [item("t", "https://booking.com", "unclassified", [], None)]])
    assert unknown["category"] == "unclassified"  # unknown means consent, never necessary
