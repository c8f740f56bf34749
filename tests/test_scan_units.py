"""The scanner's pure parts: URL rules, frontier limits, sitemaps, --resolve, setter parsing, report."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from consentkit.commands.scan import render_phases, shown
from scanner.collect import parse_cookie_write, script_from_stack
from scanner.crawl import (
    Frontier,
    check_start_url,
    normalise,
    parse_sitemap,
    registrable_domain,
    robots_sitemaps,
)
from scanner.errors import InvalidPhases, InvalidResolveRule, InvalidScanUrl
from scanner.report import find_violations, lifetime, phases_run
from scanner.resolve import ResolveMap, parse_rule, resolver_args
from scanner.run import parse_phases


def test_registrable_domain_uses_the_offline_snapshot():
    assert registrable_domain("www.itsworking.no") == "itsworking.no"
    assert registrable_domain("a.b.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("www.itsworking.test") == "itsworking.test"


@pytest.mark.parametrize("raw, expected", [
    ("https://WWW.Site.test:443/a?b=2&a=1#top", "https://www.site.test/a?a=1&b=2"),
    ("https://www.site.test/?utm_source=x&gclid=1&fbclid=2", "https://www.site.test/"),
    ("http://www.site.test", "http://www.site.test/"),
    ("https://www.site.test:8443/x", "https://www.site.test:8443/x"),
    ("mailto:a@b.no", None), ("javascript:void(0)", None), ("https://[::1:bad/", None),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("bad", ["www.example.no", "ftp://example.no/", "https://", "not a url",
                                 "https://example.no:99999/"])
def test_start_url_must_be_http(bad):
    with pytest.raises(InvalidScanUrl, match="absolute http"):
        check_start_url(bad)


def test_frontier_scope_limits_and_calendar_cap():
    frontier = Frontier("https://www.site.test/", max_pages=10, per_path_queries=3)
    assert frontier.add("/a", 1, base="https://www.site.test/")
    assert not frontier.add("https://www.site.test/a#again", 1)
    assert not frontier.add("https://shop.site.test/", 1)  # other subdomain: only with the flag
    assert not frontier.add("https://other.test/", 1)
    assert not frontier.add("https://www.site.test/file.pdf", 1)
    added = [frontier.add(f"https://www.site.test/cal?m={m}", 2) for m in range(10)]
    assert added == [True] * 3 + [False] * 7
    wide = Frontier("https://www.site.test/", include_subdomains=True, max_depth=1)
    assert wide.add("https://shop.site.test/", 1)
    assert not wide.add("https://www.site.test/deep", 2)


def test_frontier_max_pages():
    frontier = Frontier("https://www.site.test/", max_pages=3)
    assert [frontier.add(f"/p{i}", 1, base=frontier.start) for i in range(4)] == [True, True, False, False]


def test_sitemaps_and_robots():
    robots = "User-agent: *\nSitemap: /sitemap_index.xml\nsitemap: https://www.site.test/extra.xml\n"
    assert robots_sitemaps(robots, "https://www.site.test/") == [
        "https://www.site.test/sitemap_index.xml", "https://www.site.test/extra.xml"]
    index = ('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             '<sitemap><loc>https://www.site.test/pages.xml</loc></sitemap></sitemapindex>')
    assert parse_sitemap(index) == ([], ["https://www.site.test/pages.xml"])
    urlset = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              '<url><loc> https://www.site.test/a </loc></url></urlset>')
    assert parse_sitemap(urlset) == (["https://www.site.test/a"], [])
    assert parse_sitemap("<html>not a sitemap") == ([], [])


def test_resolve_rules():
    assert parse_rule("www.site.test:127.0.0.1:8443") == "MAP www.site.test 127.0.0.1:8443"
    assert parse_rule("*.ads.test:127.0.0.1") == "MAP *.ads.test 127.0.0.1"
    assert parse_rule("v6.test:[::1]:80") == "MAP v6.test [::1]:80"
    assert resolver_args(["a.test:127.0.0.1", "b.test:127.0.0.2:81"]) == [
        "--host-resolver-rules=MAP a.test 127.0.0.1, MAP b.test 127.0.0.2:81"]
    assert resolver_args([]) == []
    for bad in ("www.site.test", "www.site.test:localhost", "a b:127.0.0.1", "x.test:127.0.0.1:0",
                "x.test:127.0.0.1:http"):
        with pytest.raises(InvalidResolveRule, match="HOST:ADDR"):
            parse_rule(bad)


def test_resolve_map_for_the_scanners_own_requests_reads_rules_like_chromium():
    rules = ResolveMap.parse(["www.site.test:127.0.0.1:8443", "*.ads.test:127.0.0.2", "v6.test:[::1]:80"])
    assert rules.lookup("www.site.test", 443) == ("127.0.0.1", 8443)
    assert rules.lookup("WWW.Site.Test", 80) == ("127.0.0.1", 8443)
    assert rules.lookup("px.ads.test", 443) == ("127.0.0.2", 443)
    assert rules.lookup("ads.test", 443) == ("ads.test", 443)  # `*.` needs a label, as in Chromium
    assert rules.lookup("v6.test", 443) == ("::1", 80)
    assert rules.lookup("other.test", 8080) == ("other.test", 8080)


def test_cookie_writes_are_keyed_like_chromium_stores_them():
    assert parse_cookie_write("_ga=GA1; path=/; domain=.site.test; max-age=1", "www.site.test") == (
        "_ga", ".site.test")
    assert parse_cookie_write("lang=nb; Path=/", "www.site.test") == ("lang", "www.site.test")
    assert parse_cookie_write("x=1; Domain=Site.TEST", "www.site.test") == ("x", ".site.test")
    assert parse_cookie_write("=novalue", "h") is None


def test_setter_is_first_script_on_the_stack():
    stack = ("Error\n    at HTMLDocument.set [as cookie] (<anonymous>:7:78)\n"
             "    at gtag (https://www.googletagmanager.test/gtag/js?id=G-1:1:16)\n"
             "    at https://www.site.test/:3:5")
    assert script_from_stack(stack) == "https://www.googletagmanager.test/gtag/js?id=G-1"
    assert script_from_stack("Error\n    at <anonymous>:1:1") == ""


def test_lifetime_rounds_to_the_minute():
    assert lifetime(None, 100.0) is None
    assert lifetime(1000 + 1800, 1000.7) == 1800
    assert lifetime(1000 + 30, 1000.2) == 30


def item(name, category, phases):
    return {"name": name, "domain": ".site.test", "category": category, "phases": phases,
            "first_seen_url": "https://www.site.test/",
            "seen_on": {p: f"https://www.site.test/{p}" for p in phases},
            "set_by": "https://t.test/x.js"}


def test_violations():
    cookies = [item("_ga", "analytics", ["before", "accept", "reject"]),
               item("csrf", "necessary", ["before"]), item("_fbp", "marketing", ["accept"])]
    found = find_violations(cookies, [])
    assert [(v["name"], v["phase"], v["page"]) for v in found] == [
        ("_ga", "before", "https://www.site.test/before"), ("_ga", "reject", "https://www.site.test/reject")]
    assert [v["phase"] for v in find_violations(cookies, [], phases=["before", "accept"])] == ["before"]


def test_unclassified_items_are_violations_before_consent_and_after_rejection():
    """Unknown means consent: an item nobody has classified is never treated as necessary."""
    cookies = [item("odd", "unclassified", ["before", "reject"])]
    storage = [{**item("blob", "unclassified", ["reject"]), "kind": "localStorage",
                "origin": "https://www.site.test"}]
    found = find_violations(cookies, storage)
    assert [(v["kind"], v["name"], v["phase"], v["category"]) for v in found] == [
        ("cookie", "odd", "before", "unclassified"), ("cookie", "odd", "reject", "unclassified"),
        ("localStorage", "blob", "reject", "unclassified")]


def test_phases_run_only_names_phases_that_happened():
    both = {"accept": {"ok": True}, "reject": {"ok": True}}
    assert phases_run(["before", "accept", "reject"], both) == ["before", "accept", "reject"]
    assert phases_run(["before"], {}) == ["before"]
    assert phases_run(["before", "accept", "reject"], {"accept": {"ok": True}, "reject": {"ok": False}}) == [
        "before", "accept"]
    assert phases_run(["reject"], both) == ["reject"]


@pytest.mark.parametrize("value, expected", [
    ("before", ("before",)), ("accept,before", ("before", "accept")),
    (" Reject , before ", ("before", "reject")), ("before,accept,reject", ("before", "accept", "reject")),
])
def test_phases_option(value, expected):
    assert parse_phases(value) == expected


@pytest.mark.parametrize("bad", ["", "after", "before,later", ","])
def test_phases_option_rejects_unknown_names(bad):
    with pytest.raises(InvalidPhases, match="before, accept, reject"):
        parse_phases(bad)


def test_terminal_text_is_never_markup():
    assert isinstance(shown("[red]x[/red]"), Text)
    assert shown("[red]x[/red]").plain == "[red]x[/red]"
    assert shown("a\x1b[31mb\x07").plain == "a\\x1b[31mb\\x07"


def test_terminal_says_what_was_clicked_and_plainly_what_was_not():
    report = {"phases_run": ["before", "accept"], "consent_interaction": {
        "accept": {"method": "button", "ok": True,
                   "detail": "clicked 'Godta alle' (#cookie-banner > button:nth-of-type(1))"},
        "reject": {"method": "none", "ok": False, "detail": "no reject-all button found: …"}}}
    out = io.StringIO()
    render_phases(report, Console(file=out, width=300))
    assert out.getvalue().splitlines() == [
        "phases checked: before consent, after accept.",
        "accept: done — clicked 'Godta alle' (#cookie-banner > button:nth-of-type(1))",
        "reject: NOT DONE — no reject-all button found: …; what is set after rejection was not checked"]
