"""The scanner's "accept all" / "reject all" step on third-party banners: known consent managers
by their own selectors and API, generic banners by their wording in seven languages, and a plain
"not found" when there is nothing to click. One browser for the module; each test a fresh page."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import quote, unquote

import pytest
from playwright.async_api import async_playwright

from scanner.banners import ACCEPT_LABELS, REJECT_LABELS, normalise
from scanner.engine import launch
from scanner.phases import give_consent
from tests.sites import banners, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tabs():
    """(run, browser): `run(coro)` runs on the loop the browser lives on. That loop has its own
    thread: pytest-playwright's sync fixtures keep a loop running on the main thread all session,
    and a second loop cannot run on a thread that already has one."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="consent-click-loop", daemon=True)
    thread.start()

    def run(coro):
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    with serve(banners.app()) as server:
        pw = run(async_playwright().start())
        holder = launch(pw, server.resolve(banners.HOSTS))
        chromium = run(holder.__aenter__())
        try:
            yield run, chromium
        finally:
            run(holder.__aexit__(None, None, None))
            run(pw.stop())
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()


def consent(tabs, path: str, choice: str) -> tuple[dict, str]:
    """give_consent on a fresh page at `path`; its outcome and the `choice` cookie the page set."""
    run, chromium = tabs

    async def go():
        context = await chromium.new_context(ignore_https_errors=True)
        try:
            page = await context.new_page()
            await page.goto(banners.SITE + path)
            outcome = await give_consent(page, choice)
            cookies = {c["name"]: c["value"] for c in await context.cookies()}
            return outcome, unquote(cookies.get("choice", ""))
        finally:
            await context.close()

    return run(go())


@pytest.mark.parametrize("name, cmp", [
    ("cookiebot", "Cookiebot"), ("onetrust", "OneTrust"), ("cookieyes", "CookieYes"), ("didomi", "Didomi"),
    ("usercentrics", "Usercentrics"),
])
@pytest.mark.parametrize("choice", ["accept", "reject"])
def test_known_managers_buttons_are_found_by_their_own_selectors(tabs, name, cmp, choice):
    outcome, clicked = consent(tabs, f"/cmp/{name}", choice)
    assert clicked == f"{name}:{choice}"
    assert (outcome["method"], outcome["ok"], outcome["cmp"]) == ("cmp_button", True, cmp)
    assert outcome["text"] == ("Greit" if choice == "accept" else "Nix")
    assert outcome["selector"] and outcome["detail"].startswith(f"{cmp}: clicked ")


def test_a_button_in_a_shadow_root_is_named_through_its_host(tabs):
    outcome, _ = consent(tabs, "/cmp/usercentrics", "reject")
    assert outcome["selector"] == '#usercentrics-root >>> button[data-testid="uc-deny-all-button"]'


@pytest.mark.parametrize("choice", ["accept", "reject"])
def test_a_managers_api_is_used_when_its_banner_is_not_shown(tabs, choice):
    outcome, clicked = consent(tabs, "/api/cookiebot", choice)
    assert clicked == f"cookiebot-api:{choice}"
    assert (outcome["method"], outcome["cmp"]) == ("cmp_api", "Cookiebot")
    assert "submitCustomConsent" in outcome["detail"]


@pytest.mark.parametrize("label", [
    "Avvis alle informasjonskapsler", "Bare nødvendige", "Berre naudsynte", "Kun nødvendige",
    "Only necessary", "Decline", "Refuse all", "Reject all", "Alle ablehnen", "Nur notwendige",
    "Tout refuser", "Refuser", "Neka alla", "Afvis alle", "Godta kun nødvendige", "Avvis alle ›",
])
def test_reject_wordings(tabs, label):
    outcome, clicked = consent(tabs, f"/label?choice=reject&label={quote(label)}", "reject")
    assert clicked == "label:reject"
    assert (outcome["method"], outcome["text"]) == ("button", label)
    assert outcome["detail"] == f"clicked {label!r} ({outcome['selector']})"


@pytest.mark.parametrize("label", [
    "Godta alle", "Tillat alle informasjonskapslar", "Accept all cookies", "Acceptera alla", "Accepter alle",
    "Alle akzeptieren", "Tout accepter", "J’accepte",
])
def test_accept_wordings(tabs, label):
    outcome, clicked = consent(tabs, f"/label?choice=accept&label={quote(label)}", "accept")
    assert clicked == "label:accept" and outcome["text"] == label


@pytest.mark.parametrize("tag", ["a", "input"])
def test_links_and_input_buttons_count(tabs, tag):
    outcome, clicked = consent(tabs, f"/label?choice=reject&tag={tag}&label=Avvis%20alle", "reject")
    assert clicked == "label:reject" and outcome["ok"]


def test_a_banner_shown_late_is_waited_for(tabs):
    _, clicked = consent(tabs, "/label?choice=reject&late=1&label=Avvis%20alle", "reject")
    assert clicked == "label:reject"


@pytest.mark.parametrize("choice", ["accept", "reject"])
def test_the_explicit_button_wins_and_hidden_ones_never(tabs, choice):
    _, clicked = consent(tabs, "/both", choice)
    assert clicked == f"both:{choice}"


def test_a_banner_in_an_iframe(tabs):
    outcome, clicked = consent(tabs, "/framed", "reject")
    assert clicked == "frame:reject"
    assert outcome["frame"] == f"{banners.SITE}/frame-banner" and "in frame" in outcome["detail"]


def test_no_banner_says_so(tabs):
    outcome, clicked = consent(tabs, "/none", "reject")
    assert clicked == ""
    assert (outcome["method"], outcome["ok"]) == ("none", False)
    assert outcome["detail"].startswith("no reject-all button found: no known consent manager (ConsentKit, "
                                        "Cookiebot, OneTrust, CookieYes, Didomi, Usercentrics)")


def test_wordings_are_normalised_and_never_both_accept_and_reject():
    assert not set(ACCEPT_LABELS) & set(REJECT_LABELS)
    assert all(normalise(label) == label for label in (*ACCEPT_LABELS, *REJECT_LABELS))
    assert normalise("  Avvis   ALLE ›") == "avvis alle" and normalise("J’accepte !") == "j'accepte"
