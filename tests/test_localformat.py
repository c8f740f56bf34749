"""The one lifetime and date formatter: CLDR words in nb, nn and en, the same everywhere."""

from __future__ import annotations

from datetime import datetime

import pytest
from rich.console import Console

from consentkit.commands.scan import render_report
from consentkit.declaration.content import group_items
from consentkit.declaration.localized import localize_item
from consentkit.localformat import (
    capped_by_browser,
    date_pattern,
    date_text,
    documented_seconds,
    lifetime_text,
    lifetimes,
)
from consentkit.sites.banner_config import cookie_details

DAY = 86400


@pytest.mark.parametrize(("seconds", "kind", "nb", "nn", "en"), [
    (None, "cookie", "Økt", "Økt", "Session"),
    (-1, "cookie", "Økt", "Økt", "Session"),
    (None, "sessionStorage", "Økt", "Økt", "Session"),
    (None, "localStorage", "Ingen utløpsdato", "Inga utløpsdato", "No expiry"),
    (365 * DAY, "cookie", "1 år", "1 år", "1 year"),
    (365 * DAY - 30, "cookie", "1 år", "1 år", "1 year"),  # measured a little after it was set
    (400 * DAY, "cookie", "13 måneder", "13 månadar", "13 months"),  # Chrome's cap on a 2-year _ga
    (2 * 365 * DAY, "cookie", "2 år", "2 år", "2 years"),
    (90 * DAY, "cookie", "3 måneder", "3 månadar", "3 months"),
    (DAY, "cookie", "1 døgn", "1 døgn", "1 day"),
    (30 * DAY, "cookie", "30 døgn", "30 døgn", "30 days"),
    (1800, "cookie", "30 minutter", "30 minutt", "30 minutes"),
    (60, "cookie", "1 minutt", "1 minutt", "1 minute"),
    (3600, "cookie", "1 time", "1 time", "1 hour"),
    (7200, "cookie", "2 timer", "2 timar", "2 hours"),
    (None, "pixel", "Lagres ikke", "Blir ikkje lagra", "Not stored"),
])
def test_lifetime_in_words(seconds, kind, nb, nn, en):
    assert [lifetime_text(seconds, kind, lang) for lang in ("nb", "nn", "en")] == [nb, nn, en]
    assert lifetimes(seconds, kind) == {"nb": nb, "nn": nn, "en": en}


def test_an_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="nb, nn, en"):
        lifetime_text(60, "cookie", "sv")


def test_dates_in_running_text():
    when = datetime(2025, 6, 6, 12)
    assert [date_text(when, lang) for lang in ("nb", "nn", "en")] == [
        "6. juni 2025", "6. juni 2025", "6 June 2025"]
    assert date_text(None, "nn") == ""


def test_date_pattern_for_browsers_comes_from_cldr():
    """What the banner and the consent panel fill in with the visitor's local time."""
    nn = date_pattern("nn")
    assert nn["pattern"] == "{d}. {M} {y} kl. {H}:{m}"
    assert nn["months"][11] == "desember" and len(nn["months"]) == 12
    assert date_pattern("en")["pattern"] == "{d} {M} {y}, {H}:{m}"


@pytest.mark.parametrize(("text", "seconds"), [
    ("up to 2 years", 2 * 365.2425 * DAY), ("session to 1 year", 365.2425 * DAY),
    ("13 months", 13 * 365.2425 / 12 * DAY), ("30 minutes", 1800), ("2 weeks", 14 * DAY),
    ("session", None), ("persistent", None), ("", None), (None, None)])
def test_documented_lifetimes_are_read_at_their_longest(text, seconds):
    found = documented_seconds(text)
    assert found == (None if seconds is None else round(seconds))


def test_the_browsers_400_day_cap_is_recognised():
    assert capped_by_browser(400 * DAY) and capped_by_browser(400 * DAY - 3600)
    assert not capped_by_browser(365 * DAY) and not capped_by_browser(None)


def test_a_capped_cookie_reads_the_same_in_the_declaration_admin_cli_and_banner(app):
    """Chrome cut a 2-year `_ga` to 400 days: every place that shows it says "2 years", the
    lifetime the site asked for, through `lifetime_text`; none says "13 months" or "1 year"."""
    item = {"name": "_ga", "kind": "cookie", "domain": ".example.no", "party": "first",
            "category": "analytics", "provider": "Google Analytics", "purpose": {"en": "Counts visits"},
            "lifetime_seconds": 400 * DAY, "documented_lifetime": "2 years", "set_by": "",
            "first_seen_url": "https://www.example.no/", "phases": ["accept"], "seen_on": []}
    declared = localize_item(group_items([item])[0].items[0], "en")["lifetime"]
    with app.test_request_context():
        admin = app.jinja_env.get_template("admin/_items.html").render(items=[item], violations=None)
    console = Console(width=200, record=True)
    render_report({"cookies": [item], "storage": [], "summary": {
        "pages": 1, "cookies": 1, "storage": 0, "third_party_domains": 0, "unclassified": 0},
        "violations": []}, console)
    banner = cookie_details([item])[0]["lifetime"]
    assert declared == banner["en"] == "2 years"
    assert "<td>2 years</td>" in admin
    assert "2 years" in console.export_text()
    assert lifetimes(400 * DAY, "cookie", "2 years") == banner
