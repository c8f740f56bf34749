"""The built-in knowledge base: schema-valid vendor files, sources for every necessary entry, no
conflicts, the tracker-host table, and the coverage issues 4 and 16 ask for."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from consentkit.kb.classifier import Classifier
from consentkit.kb.loader import data_files, load_builtin, load_folder, load_hosts, read_json
from consentkit.kb.schema import (
    KbRecord,
    KbSchemaError,
    builtin_entry_problems,
    conflicts,
    entry_problems,
    file_problems,
    host_problems,
)

GOOD = {"name": "_x", "category": "analytics", "provider": "X", "purpose_en": "Counts.",
        "purpose_nb": "Teller."}


@pytest.fixture(scope="module")
def records() -> tuple[KbRecord, ...]:
    return load_builtin()


@pytest.mark.parametrize("file", data_files(), ids=lambda f: f.name)
def test_every_data_file_matches_the_schema(file):
    assert file_problems(read_json(file), file.name) == []


def test_built_in_entries_do_not_conflict_or_repeat(records):
    assert conflicts(list(records)) == []


def test_conflict_check_finds_a_conflict():
    a = KbRecord("x", "analytics", "P", "e", "n", source="a.json")
    b = KbRecord("x", "necessary", "P", "e", "n", source="b.json")
    other_domain = KbRecord("x", "necessary", "P", "e", "n", domain="example.no")
    assert conflicts([a, other_domain]) == []
    assert "conflicts with" in conflicts([a, b])[0]


@pytest.mark.parametrize(("change", "expected"), [
    ({"category": "statistics"}, "category"),
    ({"match": "glob"}, "match"),
    ({"kind": "cache"}, "kind"),
    ({"match": "regex", "name": "mp_(.+"}, "does not compile"),
    ({"match": "regex", "name": "(?P<id>x)"}, "named groups"),
    ({"domain": ".google.com"}, "domain"),
    ({"doc_url": "http://example.com"}, "https://"),
    ({"purpose_nb": ""}, "missing 'purpose_nb'"),
    ({"colour": "red"}, "unknown field"),
    ({"lifetime": 3}, "must be a string"),
])
def test_schema_rejects_bad_entries(change, expected):
    problems = entry_problems({**GOOD, **change}, "t.json entry 0")
    assert problems and expected in problems[0]
    assert entry_problems(GOOD, "t.json entry 0") == []


def test_a_necessary_built_in_entry_without_a_source_is_a_load_error():
    necessary = {**GOOD, "category": "necessary"}
    problems = builtin_entry_problems(necessary, "x.json entry 0")
    assert problems and "needs a doc_url" in problems[0]
    assert file_problems({"vendor": "X", "entries": [necessary]}, "x.json")
    cited = {**necessary, "doc_url": "https://example.com/cookies"}
    assert builtin_entry_problems(cited, "x.json entry 0") == []
    # imported entries are checked by entry_problems alone: the classifier never trusts them
    assert entry_problems(necessary, "imported entry 0") == []


def write_vendor(folder, slug: str, **doc) -> None:
    (folder / f"{slug}.json").write_text(json.dumps(doc), encoding="utf-8")


def test_the_loader_rejects_an_unsourced_necessary_entry_and_a_host_listed_twice(tmp_path):
    host = {"host": "t.example", "category": "analytics"}
    write_vendor(tmp_path, "a", vendor="A", hosts=[host], entries=[GOOD])
    write_vendor(tmp_path, "b", vendor="B", hosts=[host], entries=[{**GOOD, "name": "_z"}])
    write_vendor(tmp_path, "c", vendor="C", entries=[{**GOOD, "name": "_y",
                                                      "category": "necessary"}])
    with pytest.raises(KbSchemaError) as caught:
        load_folder(tmp_path)
    problems = "\n".join(caught.value.problems)
    assert "c.json entry 0 (_y): category 'necessary' needs a doc_url" in problems
    assert "b.json: host 't.example' is already listed by A" in problems


def test_the_loader_reads_hosts_and_the_generic_flag_from_vendor_files(tmp_path):
    write_vendor(tmp_path, "lb", vendor="LB", generic=True, entries=[GOOD],
                 hosts=[{"host": "lb.example", "category": "necessary", "provider": "LB Edge"}])
    kb = load_folder(tmp_path)
    assert kb.entries[0].generic and kb.entries[0].source == "built-in lb.json"
    assert (kb.hosts[0].host, kb.hosts[0].provider) == ("lb.example", "LB Edge")


def test_every_necessary_built_in_entry_cites_an_https_source(records):
    unsourced = [r.name for r in records if r.category == "necessary" and not r.doc_url]
    assert unsourced == []
    assert all(r.doc_url.startswith("https://") for r in records if r.doc_url)


def test_file_and_host_shapes_are_checked():
    assert file_problems([], "x.json")
    assert file_problems({"vendor": "", "entries": []}, "x.json")
    assert file_problems({"group": "x", "entries": []}, "x.json")
    assert file_problems({"vendor": "X", "entries": [], "hosts": [{"host": "EX.com",
                                                                   "category": "marketing"}]},
                         "x.json")
    assert not file_problems({"vendor": "X", "generic": True, "entries": [],
                              "hosts": [{"host": "ex.com", "category": "marketing"}]}, "x.json")
    assert file_problems({"vendor": "X", "generic": "yes", "entries": []}, "x.json")
    assert host_problems({"host": "Example.COM", "provider": "P", "category": "marketing"}, "h")
    assert host_problems({"host": "ex.com", "provider": "P", "category": "ads"}, "h")
    assert not host_problems({"host": "ex.com", "provider": "P", "category": "marketing"}, "h")


def test_at_least_500_entries_in_both_languages(records):
    assert len(records) >= 500
    for record in records:
        assert record.purpose_en.strip() and record.purpose_nb.strip(), record
        assert record.provider.strip(), record


def test_norwegian_purposes_are_not_english_copies(records):
    copies = [r.name for r in records if r.purpose_en == r.purpose_nb]
    assert copies == []


def test_every_vendor_file_lists_its_hosts_beside_its_cookies():
    with_hosts = [f.name for f in data_files() if read_json(f).get("hosts")]
    assert len(with_hosts) >= 150
    assert not any(f.name in ("misc.json", "hosts.json") for f in data_files())
    providers = {h.provider for h in load_hosts()}
    assert {"Hotjar", "Amplitude", "Criteo"} <= providers


def test_at_least_1000_tracker_hosts():
    hosts = load_hosts()
    assert len(hosts) >= 1000
    assert len({h.host for h in hosts}) == len(hosts)
    table = {h.host: h.category for h in hosts}
    assert table["google-analytics.com"] == "analytics"
    assert table["doubleclick.net"] == "marketing"
    assert table["connect.facebook.net"] == "marketing"
    assert table["snap.licdn.com"] == "marketing"
    assert table["clarity.ms"] == "analytics"


VENDORS = ["Google Analytics", "Google Ads", "DoubleClick", "Google Tag Manager", "YouTube",
           "reCAPTCHA", "Google Maps", "Meta", "Microsoft Clarity", "Microsoft Advertising",
           "Application Insights", "LinkedIn", "Hotjar", "Mouseflow", "HubSpot", "Intercom",
           "Zendesk", "Cloudflare", "Akamai", "Amazon Web Services", "Stripe", "Vimeo",
           "TikTok", "Snap", "Pinterest", "X (Twitter)", "Adobe", "Matomo", "Mixpanel",
           "Amplitude", "Segment", "PostHog", "Criteo", "Adform", "Schibsted", "Taboola",
           "Outbrain", "Cookiebot", "OneTrust", "CookieYes", "WordPress", "WooCommerce",
           "Shopify", "Magento", "Drupal", "Joomla", "PHP", "Java", "ASP.NET", "Django",
           "Laravel", "Rails", "Express", "Next.js"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_issue_vendors_are_covered(records, vendor):
    assert any(vendor in record.provider for record in records), vendor


@pytest.mark.parametrize(("host", "category"), [
    ("script.hotjar.com", "analytics"), ("api.eu.amplitude.com", "analytics"),
    ("cdn.segment.com", "analytics"), ("eu.i.posthog.com", "analytics"),
    ("browser-intake-datadoghq.eu", "analytics"), ("o123.ingest.de.sentry.io", "analytics"),
    ("r.lr-ingest.io", "analytics"), ("static.criteo.net", "marketing"),
    ("s2.adform.net", "marketing"), ("js.adsrvr.org", "marketing"),
    ("cdn.taboola.com", "marketing"), ("sdk.fra-01.braze.eu", "marketing"),
    ("widget.intercom.io", "functional"), ("chat.puzzel.com", "functional"),
    ("consent.cookiebot.com", "necessary"), ("cdn.cookielaw.org", "necessary"),
    ("cmp.quantcast.com", "necessary"), ("secure.quantserve.com", "marketing"),
])
def test_tracker_hosts_of_the_issue_categories(host, category):
    classifier = Classifier(entries=[])
    match = classifier.classify_host(host)
    assert match is not None and match.category == category, (host, match)


@pytest.mark.parametrize("host", [
    "cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "fonts.gstatic.com",
    "fonts.googleapis.com", "ajax.googleapis.com", "d1234abcd.cloudfront.net",
    "bucket.s3.amazonaws.com", "example.azureedge.net", "www.example.no", "code.jquery.com",
])
def test_shared_cdns_and_asset_hosts_are_not_trackers(host):
    match = Classifier(entries=[]).classify_host(host)
    assert match is None or match.category == "necessary", match


def test_tracker_hosts_are_the_hosts_that_need_consent():
    trackers = Classifier(entries=[]).tracker_hosts()
    assert len(trackers) >= 900
    assert trackers["hotjar.com"].category == "analytics"
    assert "cookiebot.com" not in trackers and "stripe.com" not in trackers
    assert all(match.category != "necessary" for match in trackers.values())


def test_vipps_is_in_the_host_table():
    assert any(h.provider.startswith("Vipps") for h in load_hosts())


def test_storage_keys_of_big_vendors_are_present(records):
    kinds = Counter(r.kind for r in records)
    assert kinds["localStorage"] >= 50 and kinds["sessionStorage"] >= 10


def test_regex_entries_compile_as_full_matches(records):
    for record in records:
        if record.match == "regex":
            assert re.compile(f"(?:{record.name})\\Z")


def test_data_files_are_utf8_json_with_one_vendor_each():
    vendors = [read_json(f)["vendor"] for f in data_files()]
    assert len(vendors) == len(set(vendors))
    for file in data_files():
        assert json.loads(file.read_text(encoding="utf-8"))
