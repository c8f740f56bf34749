"""Name heuristics: the classifier's last guess before "unclassified".

A guess is only a suggestion for the site owner to confirm: every answer here is flagged for
review, and none is "necessary". That asymmetry is deliberate. Calling a tracker necessary sets it
without consent (the mistake the EDPB cookie banner taskforce singled out), while asking about a
session cookie only costs a question in the review list. So a name that looks like a session,
security, routing or consent cookie stays "unclassified" (the banner asks consent for it) with a
reason that tells the owner what it looks like and how to confirm it; and tracking words are
checked before session words: `analytics_session_id` is analytics, not a session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat

# A word: capitals then lower case ("Session", "ABCdef"), capitals alone ("ABC"), or digits; so
# `_hjSessionUser_12` reads hj, Session, User, 12 and anything but ASCII letters and digits splits.
_WORD = re.compile(r"[A-Z]*[a-z]+|[A-Z]+|[0-9]+")
_HEX_NAME = re.compile(r"^[0-9a-f]{32}$|^[0-9a-f]{40}$")
_RANDOM_PART = re.compile(r"[0-9a-f]{16,}|(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{24,}")


UNCLASSIFIED = "unclassified"
_CONFIRM = "; not assumed necessary: if it is strictly necessary, confirm it with an override"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A guessed category (never necessary), how sure the guess is and the words behind it."""

    category: str
    confidence: str
    reason: str


# Words that mark consent bookkeeping; the cookie that stores a refusal cannot itself need consent.
_CONSENT = {"consent", "consents", "cookieconsent", "gdpr", "cmp", "tcf", "euconsent", "optin",
            "optout", "cookielaw", "cookiepolicy", "cookiebanner", "cookienotice", "privacy"}
_COOKIE_CHOICE = {"accept", "accepted", "agreed", "notice", "banner", "policy", "allowed",
                  "choice", "level", "bar", "law"}

# (words, category, confidence): checked in this order, first hit wins.
_WORD_RULES: tuple[tuple[frozenset[str], str, str], ...] = (
    (frozenset({"gclid", "fbclid", "msclkid", "ttclid", "dclid", "yclid", "twclid", "clickid",
                "clkid", "pixel", "retargeting", "remarketing", "retarget", "advertising",
                "adserver", "adid", "affiliate", "utm", "utmz", "fbp", "fbc"}), "marketing",
     "medium"),
    (frozenset({"ad", "ads", "adv", "advert", "aff", "conversion", "conv", "audience", "campaign",
                "campaigns", "promo", "partner", "referral", "sync", "usersync", "cookiesync"}),
     "marketing", "low"),
    (frozenset({"analytics", "analytic", "tracking", "tracker", "heatmap", "heatmaps", "pageview",
                "pageviews", "telemetry", "statistics", "stats", "stat"}), "analytics", "medium"),
    (frozenset({"track", "visitor", "visitors", "visit", "visits", "returning", "firstvisit",
                "lastvisit", "metrics", "metric", "rum", "hits", "hit", "counter", "abtest", "ab",
                "experiment", "experiments", "variant", "variation", "survey", "referrer",
                "landing", "fingerprint", "fp", "vid", "guid", "uuid", "uid", "deviceid"}),
     "analytics", "low"),
    (frozenset({"lang", "language", "languages", "locale", "currency", "country", "region",
                "theme", "darkmode", "dark", "font", "fontsize", "timezone", "tz", "pref", "prefs",
                "preference", "preferences", "settings", "layout", "viewmode", "recently",
                "recentlyviewed", "wishlist", "favorites", "favourites", "compare", "sort",
                "zoom", "volume", "muted", "player", "chat", "livechat", "dismissed", "closed",
                "popup", "announcement", "geo", "location", "city", "store", "translate", "i18n",
                "i18next"}),
     "functional", "low"),
)

# Names that look like a session, CSRF token, login or load balancer: necessary, if anything, but
# only the owner (or a documented entry) can say so.
_NECESSARY = frozenset({"sess", "session", "sessid", "sessionid", "sid", "csrf", "xsrf",
                        "csrftoken", "token", "auth", "authtoken", "jwt", "login", "loggedin",
                        "logged", "remember", "rememberme", "cart", "basket", "checkout", "lb",
                        "loadbalancer", "balancer", "affinity", "route", "routing", "sticky",
                        "serverid", "backend", "upstream", "waf", "captcha", "bot", "challenge",
                        "antiforgery", "verification", "nonce", "pkce", "security"})


# One table, word -> rank, so a name is read once: rank 0 is a consent word, 1.. the word rules in
# order, then the session look-alikes. The lowest rank among a name's words decides, as checking
# the vocabularies one after another would, without a set intersection per vocabulary.
_SESSION_RANK = len(_WORD_RULES) + 1


def _ranks() -> dict[str, int]:
    ranks = dict.fromkeys(_CONSENT, 0)
    for rank, (vocabulary, _category, _confidence) in enumerate(_WORD_RULES, start=1):
        for word in vocabulary:
            ranks.setdefault(word, rank)
    for word in _NECESSARY:
        ranks.setdefault(word, _SESSION_RANK)
    return ranks


_RANK = _ranks()
_NO_RANK = _SESSION_RANK + 1
_COOKIE_WORDS = frozenset({"cookie", "cookies"})
_ID_WORDS = frozenset({"id", "user", "u", "client", "device"})


def tokens(name: str) -> list[str]:
    """Split a cookie name into lower-case words: `_hjSessionUser_12` -> hj, session, user, 12."""
    return [part.lower() for part in _WORD.findall(name)]


def suggest(name: str) -> Suggestion | None:
    """Guess a category from the words in `name`, or None when the name says nothing."""
    found = set(tokens(name))
    best = min(map(_RANK.get, found, repeat(_NO_RANK)), default=_NO_RANK)
    if best == 0 or not (found.isdisjoint(_COOKIE_WORDS) or found.isdisjoint(_COOKIE_CHOICE)):
        return Suggestion(UNCLASSIFIED, "low", "looks like it stores the visitor's consent choice"
                          + _CONFIRM)
    if "utm" in name.lower() and any(word.startswith("utm") for word in found):
        return Suggestion("marketing", "medium", "name carries UTM campaign parameters")
    if best < _SESSION_RANK:
        _vocabulary, category, confidence = _WORD_RULES[best - 1]
        hit = sorted(word for word in found if _RANK.get(word) == best)
        return Suggestion(category, confidence, f"name contains {', '.join(hit)}")
    if best == _SESSION_RANK or name.startswith(("__Host-", "__Secure-")):
        hit = ", ".join(sorted(word for word in found if _RANK.get(word) == _SESSION_RANK))
        return Suggestion(UNCLASSIFIED, "low",
                          f"name contains {hit or 'a __Host-/__Secure- prefix'}: looks like a "
                          "session, security or routing cookie" + _CONFIRM)
    if _HEX_NAME.match(name):
        return Suggestion(UNCLASSIFIED, "low",
                          "a hexadecimal hash as name, as PHP CMSs (Joomla) name session cookies"
                          + _CONFIRM)
    if not found.isdisjoint(_ID_WORDS) and _RANDOM_PART.search(name):
        return Suggestion("analytics", "low", "an identifier with a long random part")
    return None
