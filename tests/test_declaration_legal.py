"""The declaration's legal content and languages, from a stored scan to the words a visitor reads:
the controller, providers and transfers, the consent log, Datatilsynet, owner texts, nynorsk
without bokmål or English, the language pick and the warnings the CLI prints."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from consentkit.db import get_db
from consentkit.declaration import policy, render
from consentkit.declaration.content import build_declaration
from consentkit.declaration.localized import localize
from consentkit.errors import InvalidSiteSettings
from consentkit.models import Scan
from consentkit.scans.inventory import site_inventory
from consentkit.sites import registry as sites
from consentkit.sites.banner_config import cookie_details

DAY = 86400
ORIGIN = "https://www.itsworking.no"
CONTROLLER = {"controller_name": "Allisson Holding AS", "controller_org_number": "920331483",
              "controller_address": "Bonesvegen 29, 7047 Trondheim",
              "controller_email": "personvern@itsworking.no"}

# Words that are bokmål and not valid nynorsk (Norsk Ordbok / nynorsk 2012 norm): a nynorsk page
# with any of them has fallen back to bokmål somewhere. Words both forms share ("samtykket ditt",
# "personvernerklæring", "også", "gjennom") are not in it.
BOKMAL_ONLY = {
    "ikke", "hvordan", "hvilke", "hvilken", "hvis", "hva", "hvor", "informasjonskapsler",
    "informasjonskapslene", "bruker", "brukes", "nettsted", "nettstedet", "nettsteder", "valget",
    "lagrer", "lagres", "ennå", "være", "mer", "noe", "noen", "deres", "tjenester", "tjenesten",
    "opplysninger", "opplysningene", "behandlingsansvarlig", "bare", "fra", "gjør", "dager",
    "måneder", "leverandører", "leverandørene", "sier", "sletter", "trekker", "rettslig", "formål",
    "navn", "ukjent", "besøkende", "nødvendige", "kategorier", "gjenkjenner", "annonser",
}
# English words that are not also Norwegian words ("by", "is", "to", "for" are, and stay out).
ENGLISH = {
    "the", "and", "of", "with", "your", "you", "not", "session", "storage", "cookie",
    "cookies", "provider", "providers", "purpose", "lifetime", "unknown", "year", "years", "month",
    "months", "day", "days", "hour", "hours", "minutes", "party", "consent", "settings", "privacy",
    "policy", "transfer", "contractual", "clauses", "generic", "tagging", "via", "expiry", "stores",
    "used", "this", "that", "site", "visitor", "browser", "which", "when", "rights", "complain",
}
# Names are not words of a language: companies, products, laws' own names, cookie names.
PROPER_NAMES = ("EU–US Data Privacy Framework", "Google Analytics", "Google Ads", "Google", "Meta",
                "Facebook", "Microsoft Clarity", "Hotjar", "Datatilsynet", "consentkit", "Its Working",
                "Allisson Holding AS", "Google LLC", "Meta Platforms, Inc.", "Bonesvegen")


def cookie(name: str, domain: str, lifetime: float | None = 400 * DAY, party: str = "first",
           set_by: str = "") -> dict:
    return {"name": name, "domain": domain, "path": "/", "lifetime_seconds": lifetime, "party": party,
            "http_only": False, "secure": True, "same_site": "Lax", "first_seen_url": f"{ORIGIN}/",
            "set_by": set_by, "phases": ["before"]}


REPORT = {
    "version": 1, "url": f"{ORIGIN}/",
    "cookies": [cookie("_ga", ".itsworking.no"), cookie("_gid", ".itsworking.no", DAY),
                cookie("_fbp", ".itsworking.no", 90 * DAY),
                cookie("fr", ".facebook.com", 90 * DAY, "third"),
                cookie("_hjSessionUser_123456", ".itsworking.no", 365 * DAY),
                cookie("_clck", ".itsworking.no", 365 * DAY),
                cookie("wp_lang_choice", "www.itsworking.no", 30 * DAY)],
    "storage": [{"kind": "localStorage", "name": "basket", "origin": ORIGIN, "party": "first",
                 "set_by": "", "phases": ["before"]}],
    "requests": [{"domain": "facebook.com", "hosts": ["www.facebook.com"], "party": "third",
                  "pixel": True}],
    "violations": [{"kind": "cookie", "name": "_ga", "domain": "itsworking.no", "category": "analytics",
                    "phase": "before", "page": f"{ORIGIN}/", "set_by": ""}],
}


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        site = sites.create_site(session, name="Its Working", origins=[ORIGIN], **CONTROLLER)
        when = datetime(2026, 3, 12, 9, 30)
        session.add(Scan(site_id=site.id, url=f"{ORIGIN}/", status="done", started_at=when,
                         finished_at=when, report=REPORT))
        session.flush()
        sites.refresh_revision(session, site)
        return site.key


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "code"]):
        hidden.decompose()
    return soup.get_text(" ")


def words(text: str) -> set[str]:
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    text = re.sub(r"\S*\w[_./@:]\w\S*|\S*_\S*", " ", text)  # cookie names, domains, addresses
    return {w.lower() for w in re.findall(r"[A-Za-zÆØÅæøåÉéÒòÔô]+", text)}


def test_the_nynorsk_declaration_has_no_bokmal_and_no_english(client, runner, site_key):
    """The page, the Markdown export and the policy section, all in nynorsk."""
    page = client.get(f"/v1/sites/{site_key}/declaration?lang=nn").get_data(as_text=True)
    body = visible_text(page.split("<body>", 1)[1])
    md = runner.invoke("declaration", "--site", site_key, "--lang", "nn", "--format", "md").stdout
    policy_md = runner.invoke("declaration", "--site", site_key, "--lang", "nn", "--policy").stdout
    for text in (body, md, policy_md):
        found = words(text)
        assert "informasjonskapslar" in found and "nettstaden" in found  # it is nynorsk
        assert found & BOKMAL_ONLY == set(), sorted(found & BOKMAL_ONLY)
        assert found & ENGLISH == set(), sorted(found & ENGLISH)
    # The nynorsk purposes written for the top vendors are used as they are.
    assert "slik at Google Analytics kan telje unike brukarar" in body


def test_the_word_lists_catch_what_they_are_for(client, site_key):
    """The check above can fail: the bokmål page trips the bokmål list, the English one the other."""
    nb = words(visible_text(client.get(f"/v1/sites/{site_key}/declaration?lang=nb").get_data(as_text=True)))
    en = words(visible_text(client.get(f"/v1/sites/{site_key}/declaration?lang=en").get_data(as_text=True)))
    assert len(nb & BOKMAL_ONLY) > 10 and len(en & ENGLISH) > 10


@pytest.mark.parametrize(("lang", "dpf", "scc", "complaint"), [
    ("nb", "EU–US Data Privacy Framework", "EU-kommisjonens standard personvernbestemmelser",
     "kan du klage til Datatilsynet"),
    ("nn", "EU–US Data Privacy Framework", "standard personvernføresegner frå EU-kommisjonen",
     "kan du klage til Datatilsynet"),
    ("en", "the EU–US Data Privacy Framework", "standard contractual clauses",
     "you can complain to the Norwegian Data Protection Authority (Datatilsynet)"),
])
def test_the_policy_section_names_controller_datatilsynet_and_each_transfer_basis(
        runner, site_key, lang, dpf, scc, complaint):
    md = runner.invoke("declaration", "--site", site_key, "--lang", lang, "--policy").stdout
    assert "Allisson Holding AS" in md and "920 331 483" in md and "Bonesvegen 29, 7047 Trondheim" in md
    assert "[personvern@itsworking.no](<mailto:personvern@itsworking.no>)" in md
    assert complaint in md and "(<https://www.datatilsynet.no/>)" in md
    providers = {line.split("**")[1]: line for line in md.splitlines() if line.startswith("- **")}
    google, meta = providers["Google"], providers["Meta"]
    assert "Google LLC" in google and dpf in google and scc in google
    assert "Meta Platforms, Inc." in meta and dpf in meta and scc not in meta
    assert "(<https://policies.google.com/privacy>)" in google
    # Hotjar's country is not in the knowledge base: named, with no country or basis made up.
    assert providers["Hotjar"].strip() == "- **Hotjar**"
    # The working withdraw link opens the banner's settings on any page that loads the banner.
    assert "(<#consentkit>)" in md


def test_the_consent_log_paragraph_follows_the_sites_settings(app, runner, site_key):
    md = runner.invoke("declaration", "--site", site_key, "--lang", "en", "--format", "md").stdout
    assert "GDPR art. 7(1)" in md and "for 5 years" in md and "last digits removed" in md
    with app.app_context(), get_db(app).session() as session:
        sites.edit_site(session, sites.get_site(session, site_key), retention_days=730, ip_mode="none",
                        cookie_name="samtykke")
    md = runner.invoke("declaration", "--site", site_key, "--lang", "nn", "--format", "md").stdout
    assert "i 2 år" in md and "IP-adressa di blir ikkje lagra" in md and "samtykke i nettlesaren" in md


def test_a_cookie_the_browser_capped_shows_the_vendors_documented_lifetime(client, site_key):
    page = BeautifulSoup(client.get(f"/v1/sites/{site_key}/declaration?lang=nn").get_data(as_text=True),
                         "html.parser")
    cell = page.find("th", string="_ga").parent.find("td", class_="ck-lifetime")
    assert cell.contents[0].strip() == "2 år"
    assert cell.find(class_="ck-note").get_text() == \
        "Leverandøren set 2 år; nettlesaren din slettar han etter 13 månadar."
    # A cookie that lives its full documented lifetime has no note.
    gid = page.find("th", string="_gid").parent.find("td", class_="ck-lifetime")
    assert gid.get_text(strip=True) == "1 døgn"


def test_the_cli_warns_of_violations_in_its_own_latest_scan(runner, site_key):
    result = runner.invoke("declaration", "--site", site_key, "--lang", "nb")
    assert result.exit_code == 0
    assert "Warning: the latest scan of 12 March 2026 found 1 item(s) set before consent" in result.stderr
    assert "_ga" in result.stderr.split("Warning:")[1]
    assert "Warning" not in result.stdout  # the export itself stays clean


def test_owner_texts_with_variables_replace_the_intro_per_language(app, client, site_key):
    with app.app_context(), get_db(app).session() as session:
        sites.edit_site(session, sites.get_site(session, site_key), declaration_texts={
            "nn": {"intro": "{controller} har laga denne oversikta.\n\nSpørsmål? Skriv til {email}.",
                   "closing": "Sist gjennomgått {scan_date}."}})
    nn = BeautifulSoup(client.get(f"/v1/sites/{site_key}/declaration?lang=nn").get_data(as_text=True),
                       "html.parser")
    paragraphs = [p.get_text() for p in nn.select("article > p")]
    assert paragraphs[:2] == ["Allisson Holding AS har laga denne oversikta.",
                              "Spørsmål? Skriv til personvern@itsworking.no."]
    assert nn.select_one(".ck-closing").get_text() == "Sist gjennomgått 12. mars 2026."
    nb = client.get(f"/v1/sites/{site_key}/declaration?lang=nb").get_data(as_text=True)
    assert "Informasjonskapsler er små tekstfiler" in nb  # other languages keep ours


def test_owner_texts_refuse_unknown_variables_and_other_shapes(app, site_key):
    with app.app_context(), get_db(app).session() as session:
        site = sites.get_site(session, site_key)
        for bad, message in [({"nn": {"intro": "Hei {contoller}"}}, "unknown variables {contoller}"),
                             ({"sv": {"intro": "Hej"}}, "'sv' must be one of nb, nn, en"),
                             ({"nb": {"footer": "x"}}, "must be one of intro, closing"),
                             ({"nb": {"intro": "x" * 5001}}, "longer than 5000")]:
            with pytest.raises(InvalidSiteSettings, match=re.escape(message)):
                sites.edit_site(session, site, declaration_texts=bad)


@pytest.mark.parametrize(("value", "stored"), [
    ("920331483", "920 331 483"), ("NO 920 331 483 MVA", "920 331 483"), ("HRB 12345", "HRB 12345"),
    ("", None)])
def test_organisation_numbers_are_checked_and_written_one_way(app, site_key, value, stored):
    with app.app_context(), get_db(app).session() as session:
        site = sites.get_site(session, site_key)
        sites.edit_site(session, site, controller_org_number=value)
        assert site.controller_org_number == stored


def test_a_mistyped_organisation_number_and_email_are_refused(runner, site_key):
    bad = runner.invoke("site", "edit", site_key, "--controller-org-number", "920331484")
    assert bad.exit_code == 1 and "not a valid Norwegian organisation number" in bad.output
    bad = runner.invoke("site", "edit", site_key, "--controller-email", "personvern.itsworking.no")
    assert bad.exit_code == 1 and "not an e-mail address" in bad.output


def test_site_edit_sets_the_controller_and_texts_once(runner, site_key):
    result = runner.invoke("site", "edit", site_key, "--controller-name", "Its Working AS",
                           "--declaration-intro", "en", "Run by {controller}.",
                           "--declaration-closing", "nn", "Takk.", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["controller_name"] == "Its Working AS"
    assert data["declaration_texts"] == {"en": {"intro": "Run by {controller}."}, "nn": {"closing": "Takk."}}
    again = json.loads(runner.invoke("site", "edit", site_key, "--declaration-intro", "en", "",
                                     "--json").stdout)
    assert again["declaration_texts"] == {"nn": {"closing": "Takk."}}  # '' restores ours, keeps the rest
    cleared = json.loads(runner.invoke("site", "edit", site_key, "--controller-name", "", "--json").stdout)
    assert cleared["controller_name"] is None
    assert cleared["controller_email"] == CONTROLLER["controller_email"]


@pytest.mark.parametrize(("header", "lang"), [
    ("nn-NO,nn;q=0.9,en;q=0.5", "nn"), ("no", "nb"), ("nb-NO", "nb"), ("de-DE, en;q=0.7", "en"),
    ("sv, da", "nb"), ("nn;q=0, en", "en")])
def test_the_hosted_page_follows_accept_language(client, site_key, header, lang):
    response = client.get(f"/v1/sites/{site_key}/declaration", headers={"Accept-Language": header})
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_the_query_wins_over_accept_language_and_caches_apart(client, site_key):
    nn = client.get(f"/v1/sites/{site_key}/declaration", headers={"Accept-Language": "nn"})
    en = client.get(f"/v1/sites/{site_key}/declaration?lang=en", headers={"Accept-Language": "nn"})
    assert '<html lang="en">' in en.get_data(as_text=True) and nn.headers["ETag"] != en.headers["ETag"]
    again = client.get(f"/v1/sites/{site_key}/declaration", headers={
        "Accept-Language": "nn", "If-None-Match": nn.headers["ETag"]})
    assert again.status_code == 304 and "Accept-Language" in again.headers["Vary"]


def test_the_banner_gets_lifetimes_purposes_and_dates_ready_to_show(app, site_key):
    """The cookie details the banner's view fetches (cookies.json) carry them per language."""
    with app.app_context(), get_db(app).session() as session:
        inventory = site_inventory(session, sites.get_site(session, site_key))
        items = {i["name"]: i for i in cookie_details(inventory)}
    ga = items["_ga"]
    assert ga["lifetime"] == {"nb": "2 år", "nn": "2 år", "en": "2 years"}
    assert ga["purpose"]["nn"].startswith("Lagrar ein tilfeldig ID")
    # No nynorsk written for this one: a nynorsk sentence, not the bokmål text.
    unknown = items["wp_lang_choice"]
    assert unknown["purpose"]["nn"] != unknown["purpose"]["nb"] and "nettstaden" in unknown["purpose"]["nn"]


def test_script_config_carries_cldr_date_patterns(client, site_key):
    body = client.get(f"/v1/sites/{site_key}/consent.js").get_data(as_text=True)
    config = json.loads(body.rsplit("ConsentKit.init(", 1)[1].rsplit(");", 1)[0])
    assert config["dates"]["nn"]["pattern"] == "{d}. {M} {y} kl. {H}:{m}"
    assert config["declarationUrl"].endswith(f"/v1/sites/{site_key}/declaration")


def test_items_seen_on_several_domains_list_them(app):
    """An inventory whose items carry `seen_on` (one site, several domains) shows the column."""
    item = {"name": "_ga", "kind": "cookie", "domain": "itsworking.no", "party": "first",
            "lifetime_seconds": 400 * DAY, "category": "analytics", "provider": "Google Analytics",
            "purpose": {"nb": "Statistikk."}, "seen_on": ["https://www.itsworking.no", "https://booking.itsworking.com"]}
    site = sites.Site(key="k", name="Its Working", revision=2, languages=["nb", "nn", "en"],
                      default_language="nb")
    scan = Scan(id=1, url=f"{ORIGIN}/", status="done", started_at=datetime(2026, 3, 12))
    decl = build_declaration(site, scan, [item, {**item, "name": "sid", "seen_on": []}])
    view = localize(decl, "nn")
    assert view["columns"]["seen_on"] == "Funne på"
    rows = {r["name"]: r for r in view["sections"][0]["items"]}
    assert rows["_ga"]["seen_on"] == "https://www.itsworking.no, https://booking.itsworking.com"
    assert "| Funne på |" in render.markdown(view).replace("\\", "")
    with app.app_context():
        html = render.html_fragment(view)
    assert 'data-label="Funne på">https://www.itsworking.no, https://booking.itsworking.com</td>' in html
    # Without seen_on anywhere, no empty column.
    plain = localize(build_declaration(site, scan, [{**item, "seen_on": []}]), "en")
    assert "seen_on" not in plain["columns"]
    with app.app_context():
        assert "Its Working" in policy.policy_html(view)
