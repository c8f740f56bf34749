"""The declaration's content, texts and renderers, without HTTP: data in, words and markup out."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from markdown_it import MarkdownIt

from consentkit.declaration import policy, render
from consentkit.declaration.content import build_declaration, group_items, pixel_items
from consentkit.declaration.localized import localize
from consentkit.declaration.purposes import provider_name
from consentkit.declaration.texts import LANGUAGES, TEXTS
from consentkit.models import Scan, Site

DAY = 86400
EVIL = "<script>alert(1)</script>"


def item(name: str, category: str, **extra) -> dict:
    base = {"name": name, "kind": "cookie", "domain": "www.example.no", "party": "first",
            "lifetime_seconds": 365 * DAY, "category": category, "provider": "Example",
            "purpose": {"nb": f"Formål for {name}", "en": f"Purpose of {name}"}}
    return {**base, **extra}


def site(**extra) -> Site:
    values = {"key": "k3y", "name": "Its Working", "revision": 4, "languages": ["nb", "nn", "en"],
              "default_language": "nb", "privacy_policy_url": None}
    return Site(**{**values, **extra})


def scan() -> Scan:
    return Scan(id=7, url="https://www.example.no/", status="done",
                started_at=datetime(2026, 3, 11, 23, 50), finished_at=datetime(2026, 3, 12, 0, 5))


def test_every_language_has_every_text():
    """A key missing in one language would show up as a KeyError on a visitor's page."""
    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        return type(value).__name__
    assert shape(TEXTS["nn"]) == shape(TEXTS["nb"]) == shape(TEXTS["en"])


def test_sections_in_fixed_order_and_unknown_categories_kept_as_unclassified():
    sections = group_items([item("_ga", "analytics"), item("x", "unclassified"), item("zz", "weird"),
                            item("sid", "necessary"), item("_fbp", "marketing")])
    assert [s.category for s in sections] == ["necessary", "analytics", "marketing", "unclassified"]
    assert [i.name for i in sections[-1].items] == ["x", "zz"]


def test_build_declaration_carries_scan_date_revision_and_every_item():
    items = [item("a", "necessary"), item("b", "functional"), item("c", "unclassified")]
    decl = build_declaration(site(), scan(), items)
    assert (decl.revision, decl.scan_id, decl.item_count) == (4, 7, 3)
    assert decl.scanned_at == datetime(2026, 3, 12, 0, 5)


def test_localize_resolves_every_string_per_language():
    decl = build_declaration(site(), scan(), [item("_ga", "analytics", provider="Google")])
    nb, nn, en = (localize(decl, lang) for lang in ("nb", "nn", "en"))
    assert nb["scan_info"] == "Basert på gjennomgang av https://www.example.no/ 12. mars 2026. Revisjon 4."
    assert en["scan_info"] == "Based on a scan of https://www.example.no/ on 12 March 2026. Revision 4."
    assert "Its Working" in nb["intro"][1]
    section = nb["sections"][0]
    assert (section["title"], nn["sections"][0]["title"], en["sections"][0]["title"]) == (
        "Analyse og statistikk", "Analyse og statistikk", "Analytics")
    assert "GDPR" in section["legal_basis"] and "art. 6(1)(a)" in en["sections"][0]["legal_basis"]
    row = section["items"][0]
    assert row == {"name": "_ga", "provider": "Google", "purpose": "Formål for _ga",
                   "purpose_generated": False, "lifetime": "1 år", "lifetime_note": "",
                   "lifetime_seconds": 365 * DAY, "type": "Informasjonskapsel", "kind": "cookie",
                   "party": "Førstepart", "party_key": "first", "domain": "www.example.no", "seen_on": ""}
    # No nynorsk purpose written: a nynorsk sentence from category and provider, never bokmål.
    nn_row = nn["sections"][0]["items"][0]
    assert nn_row["purpose"] == "Blir brukt av Google til statistikk over korleis nettstaden blir brukt."
    assert nn_row["purpose_generated"] is True
    assert en["sections"][0]["items"][0]["type"] == "Cookie"


def test_necessary_is_exempt_under_ekomloven_and_the_rest_needs_consent():
    decl = build_declaration(site(), scan(), [item("a", "necessary"), item("b", "marketing"),
                                              item("c", "unclassified")])
    for lang in LANGUAGES:
        bases = [s["legal_basis"] for s in localize(decl, lang)["sections"]]
        assert "§ 3-15" in bases[0] and "GDPR" not in bases[0]
        assert all("GDPR" in basis for basis in bases[1:])


def test_missing_provider_and_purpose_are_said_not_left_blank():
    decl = build_declaration(site(), scan(), [item("x", "unclassified", provider="", purpose={})])
    row = localize(decl, "nn")["sections"][0]["items"][0]
    assert (row["provider"], row["purpose"]) == ("Ukjend", "Føremålet er ikkje fastslått enno.")


def test_not_scanned_and_nothing_found_are_told_apart():
    assert localize(build_declaration(site(), None, []), "en")["empty"] == TEXTS["en"]["not_scanned"]
    assert localize(build_declaration(site(), scan(), []), "en")["empty"] == TEXTS["en"]["nothing_found"]


def markdown_html(text: str) -> str:
    """Render as a permissive CMS would: raw HTML allowed, GFM tables on."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def test_markdown_escapes_scanned_strings():
    evil = item(EVIL, "unclassified", domain="a|b.example", provider="`tick` *bold* [x](y)",
                purpose={"nb": "line\nbreak | pipe & &amp; <b>"})
    text = render.markdown(localize(build_declaration(site(), scan(), [evil]), "nb"))
    html = markdown_html(text)
    assert "<script>" not in html and "<b>" not in html and "<code>" not in html
    # The only links are ours: withdrawing consent and Datatilsynet, none from scanned strings.
    assert sorted(set(re.findall(r'<a href="([^"]*)"', html))) == ["#consentkit", "https://www.datatilsynet.no/"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a|b.example" in html and "&amp;amp;" in html
    assert html.count("<td>") == html.count("<th>") == 7  # one row of seven cells: no cell split at `|`


def test_markdown_table_has_one_row_per_item_and_headings_per_category():
    items = [item("__cf_bm", "necessary"), item("_ga", "analytics"), item("_gid", "analytics")]
    text = render.markdown(localize(build_declaration(site(), scan(), items), "en"))
    html = markdown_html(text)
    assert "<h2>Strictly necessary</h2>" in html and "<h2>Analytics</h2>" in html
    assert html.count("<tr>") == 2 + 3  # a header row per table, a row per item
    assert "__cf_bm" in html and "<strong>" in html


def test_json_is_the_localized_view(app):
    decl = build_declaration(site(), scan(), [item(EVIL, "marketing")])
    data = json.loads(render.json_text(localize(decl, "en")))
    assert data["sections"][0]["items"][0]["name"] == EVIL
    assert data["revision"] == 4 and data["scan"]["id"] == 7 and "panel" not in data


def test_html_fragment_escapes_and_has_table_semantics(app):
    decl = build_declaration(site(), scan(), [item(EVIL, "necessary"), item("ok", "unclassified")])
    with app.app_context():
        html = render.html_fragment(localize(decl, "nb"))
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('<th scope="row"') == 2 and "Uklassifiserte" in html
    assert "<script" not in html


def test_policy_section_lists_categories_basis_providers_and_how_to_change(app):
    items = [item("__cf_bm", "necessary", provider="Cloudflare"), item("_ga", "analytics", provider="Google"),
             item("fr", "marketing", provider="Meta"), item("gads", "marketing", provider="Google")]
    view = localize(build_declaration(site(), scan(), items), "nb", "https://c.example/v1/sites/k3y/declaration")
    md = policy.policy_markdown(view)
    assert "## Informasjonskapsler" in md and "Leverandører: Google, Meta." in md
    assert "ekomloven § 3-15" in md and "Slik endrer eller trekker du tilbake samtykket" in md
    assert "https://c.example/v1/sites/k3y/declaration" in md
    with app.app_context():
        html = policy.policy_html(view)
    assert html.split("</ul>")[0].count("<li>") == 3 and "Cloudflare" in html
    assert 'href="https://c.example/' in html


def test_policy_markdown_escapes_a_hostile_site_name(app):
    view = localize(build_declaration(site(name="# <img src=x onerror=alert(1)>"), scan(), []), "en")
    html = markdown_html(policy.policy_markdown(view))
    assert "<img" not in html and "<h1>" not in html


def test_third_party_pixels_are_declared_and_first_party_images_are_not():
    report = {"requests": [
        {"domain": "facebook.com", "hosts": ["www.facebook.com"], "party": "third", "pixel": True},
        {"domain": "example.no", "hosts": ["www.example.no"], "party": "first", "pixel": True},
        {"domain": "jsdelivr.net", "hosts": ["cdn.jsdelivr.net"], "party": "third", "pixel": False},
        {"domain": "tracker.test", "hosts": ["t.tracker.test"], "party": "third", "pixel": True}]}
    decl = build_declaration(site(), scan(), pixel_items(report))
    view = localize(decl, "en")
    assert [(s["category"], [i["name"] for i in s["items"]]) for s in view["sections"]] == [
        ("marketing", ["facebook.com"]), ("unclassified", ["tracker.test"])]
    row = view["sections"][0]["items"][0]
    assert (row["type"], row["lifetime"], row["party"]) == ("Pixel", "Not stored", "Third party")
    assert row["purpose"].startswith("Tells the provider") and row["provider"].startswith("Meta")


@pytest.mark.parametrize(("provider", "shown"), [
    ("Google Analytics (server-side tagging)", "Google Analytics"), ("Cloudflare (via Vipps)", "Cloudflare"),
    ("Google Analytics (Universal, ga.js)", "Google Analytics"), ("Cookie banner (generic)", "Cookie banner"),
    ("Meta (Facebook)", "Meta (Facebook)"), ("X (Twitter)", "X (Twitter)"), ("", "")])
def test_provider_names_lose_technical_notes_and_keep_their_brands(provider, shown):
    assert provider_name(provider) == shown


def test_a_generated_purpose_names_the_provider_without_its_technical_note():
    decl = build_declaration(site(), scan(), [item("_ga", "analytics", purpose={},
                                                   provider="Google Analytics (server-side tagging)")])
    row = localize(decl, "nn")["sections"][0]["items"][0]
    assert row["provider"] == "Google Analytics"
    assert row["purpose"] == ("Blir brukt av Google Analytics til statistikk over korleis nettstaden "
                              "blir brukt.")
