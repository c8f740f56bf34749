"""The scanner against fixture sites reproducing the seeds: exact inventory, setters, party, phases."""

from __future__ import annotations

import pytest

from consentkit.kb.classifier import default_classifier
from scanner.run import ScanOptions, scan
from tests.sites import contracting, itsworking, serve

pytestmark = pytest.mark.browser


def run(site, **options):
    with serve(site.app()) as server:
        return scan(site.START, ScanOptions(resolve=server.resolve(site.HOSTS), ignore_https_errors=True,
                                            **options), classifier=default_classifier())


@pytest.fixture(scope="module")
def itsworking_report():
    return run(itsworking)


@pytest.fixture(scope="module")
def contracting_report():
    return run(contracting)


def test_itsworking_exact_cookie_inventory(itsworking_report):
    found = {(c["name"], c["domain"]): (c["set_by"], c["party"], c["phases"])
             for c in itsworking_report["cookies"]}
    assert found == itsworking.EXPECTED


def test_itsworking_cookie_attributes(itsworking_report):
    cookies = {c["name"]: c for c in itsworking_report["cookies"]}
    assert cookies["__cf_bm"]["http_only"] and cookies["__cf_bm"]["secure"]
    assert cookies["__cf_bm"]["lifetime_seconds"] == 1800
    assert cookies["fr"]["same_site"] == "None" and cookies["fr"]["http_only"]
    assert cookies["lang_pref"]["lifetime_seconds"] is None
    assert cookies["_gid"]["lifetime_seconds"] == 86400
    assert cookies["_ga"]["lifetime_seconds"] == 400 * 86400  # Chromium caps expiry at 400 days
    assert all(c["first_seen_url"] == itsworking.START for c in cookies.values())


def test_itsworking_generic_banner_clicked(itsworking_report):
    interaction = itsworking_report["consent_interaction"]
    accept, reject = interaction["accept"], interaction["reject"]
    assert (accept["method"], accept["ok"], accept["text"]) == ("button", True, "Godta alle")
    assert (reject["method"], reject["ok"], reject["text"]) == ("button", True, "Avvis alle")
    # which button, so a wrong click can be seen in the report
    assert accept["selector"] == "#cookie-banner > button:nth-of-type(1)"
    assert reject["selector"] == "#cookie-banner > button:nth-of-type(2)"
    assert reject["detail"] == "clicked 'Avvis alle' (#cookie-banner > button:nth-of-type(2))"
    assert itsworking_report["phases_run"] == ["before", "accept", "reject"]


def test_itsworking_crawl_follows_links_and_sitemap_index(itsworking_report):
    before = {p["url"] for p in itsworking_report["pages"] if p["phase"] == "before"}
    site = itsworking.SITE
    # /om-oss/ is only in the sitemap; /en/?utm_source=nav is normalised; the PDF and mailto are skipped
    assert before == {f"{site}/", f"{site}/tjenester/", f"{site}/kontakt/", f"{site}/en/", f"{site}/om-oss/"}
    assert all(p["status"] == 200 and p["error"] is None for p in itsworking_report["pages"])


def test_itsworking_requests_and_pixels(itsworking_report):
    requests = {r["domain"]: r for r in itsworking_report["requests"]}
    assert set(requests) == {"itsworking.test", "itsworking-cdn.test", "googletagmanager.test",
                             "google-analytics.test", "facebook.test", "doubleclick.test"}
    assert requests["itsworking.test"]["party"] == "first"
    assert requests["google-analytics.test"]["pixel"] and requests["facebook.test"]["pixel"]
    assert not requests["itsworking-cdn.test"]["pixel"]


def test_itsworking_violations_are_analytics_before_consent(itsworking_report):
    violations = itsworking_report["violations"]
    found = {(v["name"], v["phase"]) for v in violations}
    assert ("_ga", "before") in found and ("_gid", "before") in found
    assert not any(v["phase"] == "reject" and v["category"] == "marketing" for v in violations)
    assert not {"_fbp", "fr", "IDE", "__gads"} & {v["name"] for v in violations}
    ga = next(v for v in violations if v["name"] == "_ga")
    assert ga["set_by"] == itsworking.GTAG and ga["page"] == itsworking.START


def test_contracting_exact_inventory(contracting_report):
    cookies = {(c["name"], c["domain"]): (c["set_by"], c["party"]) for c in contracting_report["cookies"]}
    storage = {(s["kind"], s["name"], s["origin"]): (s["set_by"], s["party"])
               for s in contracting_report["storage"]}
    assert cookies == contracting.EXPECTED_COOKIES
    assert storage == contracting.EXPECTED_STORAGE
    # no banner: neither "after accept" nor "after reject" happened, and no item claims them
    assert contracting_report["phases_run"] == ["before"]
    every = [*contracting_report["cookies"], *contracting_report["storage"]]
    assert all(item["phases"] == ["before"] for item in every)


def test_contracting_without_banner_says_so(contracting_report):
    interaction = contracting_report["consent_interaction"]
    assert interaction["accept"]["ok"] is False and interaction["accept"]["method"] == "none"
    assert interaction["reject"]["ok"] is False
    assert interaction["reject"]["detail"].startswith("no reject-all button found: no known consent manager")
    # without a reject button there is no "after rejection": only before-consent violations
    assert {v["phase"] for v in contracting_report["violations"]} <= {"before"}
    requests = {r["domain"]: r for r in contracting_report["requests"]}
    assert requests["visualstudio.test"]["pixel"]  # navigator.sendBeacon
    assert requests["linkedin.test"]["pixel"]


def test_report_is_versioned_and_json_safe(contracting_report):
    import json

    assert contracting_report["version"] == 1
    assert json.loads(json.dumps(contracting_report)) == contracting_report
    assert contracting_report["summary"]["pages"] == 3
