"""Lifetimes, durations and dates in nb, nn and en, with CLDR data (Babel): the one formatter.

The declaration, the banner's cookie table (pre-formatted in its config), the admin and the scan CLI
all say how long an item lives through `lifetime_text`, so one cookie reads the same everywhere.
Browsers have no reliable nynorsk locale data (Chromium ships none), so nothing is left to `Intl`:
dates the browser must format itself (a visitor's consent date) get CLDR's pattern and month names
from `date_pattern`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import (
    format_date,
    get_date_format,
    get_datetime_format,
    get_month_names,
    get_time_format,
    parse_pattern,
)
from babel.units import format_unit

LANGUAGES = ("nb", "nn", "en")
# English as Norwegian sites write it to Europeans: "1 December 2026", 24-hour clock.
LOCALES = {"nb": "nb", "nn": "nn", "en": "en_GB"}

DAY = 86400
# Chromium, Firefox and Safari cap a cookie's lifetime at 400 days (RFC 6265bis).
BROWSER_CAP_SECONDS = 400 * DAY

# Lifetimes that are not a number: CLDR has no words for these.
WORDS: dict[str, dict[str, str]] = {
    "nb": {"session": "Økt", "no_expiry": "Ingen utløpsdato", "not_stored": "Lagres ikke"},
    "nn": {"session": "Økt", "no_expiry": "Inga utløpsdato", "not_stored": "Blir ikkje lagra"},
    "en": {"session": "Session", "no_expiry": "No expiry", "not_stored": "Not stored"},
}

_UNITS = {"minute": 60, "hour": 3600, "day": DAY, "week": 7 * DAY,
          "month": round(365.2425 / 12 * DAY), "year": round(365.2425 * DAY)}
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(second|minute|hour|day|week|month|year)s?\b")


def _locale(lang: str) -> str:
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}") from None


def rounded_duration(seconds: float) -> tuple[int, str]:
    """(count, unit) as a person would say it: 400 days is 13 months, 365 days less a minute 1 year.

    Minutes under an hour, hours under a day, days under 45 days, then months, and whole years
    when the months add up to them.
    """
    minutes = round(seconds / 60)
    if minutes < 60:
        return max(minutes, 1), "minute"
    hours = round(seconds / 3600)
    if hours < 24:
        return hours, "hour"
    days = round(seconds / DAY)
    if days < 45:
        return days, "day"
    months = round(days / (365.2425 / 12))
    if months % 12 == 0:
        return months // 12, "year"
    return months, "month"


def duration_text(seconds: float, lang: str = "en") -> str:
    """A positive duration in words of `lang` ("13 månader", "30 minutes")."""
    count, unit = rounded_duration(seconds)
    return format_unit(count, f"duration-{unit}", length="long", locale=_locale(lang))


def lifetime_text(seconds: float | None, kind: str = "cookie", lang: str = "en",
                  documented: str | None = None) -> str:
    """How long a cookie or storage item is kept, in `lang`: what every page, list and the CLI show.

    A pixel stores nothing; localStorage and IndexedDB have no expiry; a cookie without one, and
    sessionStorage, last the session. `documented` is the knowledge base's lifetime ("2 years"):
    told instead of a measured lifetime the browser cut to its 400-day cap (see `shown_seconds`).
    """
    _locale(lang)
    words = WORDS[lang]
    if kind == "pixel":
        return words["not_stored"]
    if kind in ("localStorage", "indexedDB") and seconds is None:
        return words["no_expiry"]
    if seconds is None or seconds <= 0 or kind == "sessionStorage":
        return words["session"]
    return duration_text(shown_seconds(seconds, kind, documented), lang)


def shown_seconds(seconds: float | None, kind: str = "cookie",
                  documented: str | None = None) -> float | None:
    """The lifetime to tell: the measured one, except for a cookie the browser cut to its 400-day
    cap whose vendor documents a longer one (then the site asked for that longer one)."""
    longest = documented_seconds(documented) if kind == "cookie" else None
    if longest is not None and capped_by_browser(seconds) and longest > (seconds or 0):
        return longest
    return seconds


def lifetimes(seconds: float | None, kind: str = "cookie",
              documented: str | None = None) -> dict[str, str]:
    """`lifetime_text` in every language, as the banner's `cookies[].lifetime` carries it."""
    return {lang: lifetime_text(seconds, kind, lang, documented) for lang in LANGUAGES}


def documented_seconds(text: str | None) -> int | None:
    """The longest lifetime a knowledge-base `lifetime` names ("up to 2 years" → 2 years), or None.

    "session", "persistent" and "varies" name no number: None.
    """
    found = [float(number.replace(",", ".")) * _UNITS.get(unit, 1)
             for number, unit in _AMOUNT.findall((text or "").lower())]
    return round(max(found)) if found else None


def capped_by_browser(seconds: float | None) -> bool:
    """Whether a measured cookie lifetime is the browsers' 400-day cap (give or take a day)."""
    return seconds is not None and seconds >= BROWSER_CAP_SECONDS - DAY


def date_text(value: date | datetime | None, lang: str = "en") -> str:
    """A date as written in running text ("6. juni 2025", "6 June 2025")."""
    if value is None:
        return ""
    return format_date(value, format="long", locale=_locale(lang))


@lru_cache(maxsize=8)
def date_pattern(lang: str) -> dict[str, Any]:
    """CLDR's long date with a short time, for a browser to fill in with the visitor's local time.

    `pattern` holds the fields {d} {M} (the month's name) {y} {H} {m}; `months` are the names,
    January first. Given to the banner and the declaration's consent panel, which would otherwise
    ask `Intl` and get English in nynorsk.
    """
    locale = _locale(lang)
    combined = (get_datetime_format("long", locale=locale)
                .replace("{1}", get_date_format("long", locale=locale).pattern)
                .replace("{0}", get_time_format("short", locale=locale).pattern))
    fields = {"d": "{d}", "dd": "{d}", "MMMM": "{M}", "y": "{y}", "yyyy": "{y}",
              "HH": "{H}", "H": "{H}", "mm": "{m}"}
    parsed = parse_pattern(combined).format.replace("%%", "%")
    pattern = re.sub(r"%\((\w+)\)s", lambda m: fields.get(m.group(1), m.group(0)), parsed)
    if "%(" in pattern:
        raise ValueError(f"unexpected CLDR date pattern for {lang}: {combined!r}")
    names = get_month_names("wide", locale=locale)
    return {"pattern": pattern, "months": [names[month] for month in range(1, 13)]}
