"""Validation of the consent POST body, field by field, so every error names the field and the reason.

Hand-written rather than schema-driven: the rules depend on the site (its revision, categories and
languages), the messages are for the banner developer reading the network tab, and it is fast.
Anything a client can send ends as `InvalidConsent` (400) or a `Consent`; never an exception.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..consentlog.receipts import RECEIPT_MAX
from ..consentlog.records import Consent, SiteView
from ..models import CATEGORIES
from ..sites.registry import GPC_DENIES, LANGUAGES

METHODS = ("accept_all", "reject_all", "custom", "gpc", "withdraw")
FIELDS = ("consent_id", "choices", "method", "revision", "language", "page_url", "banner_version", "gpc",
          "receipt", "record_id")
REQUIRED = ("consent_id", "choices", "method", "revision", "language")
CONSENT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
PAGE_URL_MAX = 2048
BANNER_VERSION_MAX = 32


class MalformedJSON(ValueError):
    """The body is not a JSON document (or nests deeper than any consent can)."""


class InvalidConsent(ValueError):
    """One or more fields are wrong; `fields` maps each field to what is wrong with it."""

    def __init__(self, fields: dict[str, str]) -> None:
        names = ", ".join(sorted(fields))
        super().__init__(f"invalid consent: check {names}")
        self.fields = fields


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# One decoder for every request: json.loads with a hook builds a new decoder and scanner per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_json(body: bytes) -> Any:
    """Decode UTF-8 JSON; NaN/Infinity, bad UTF-8 and pathological nesting are malformed."""
    try:
        return _DECODER.decode(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedJSON(f"the body is not valid UTF-8 JSON: {exc}") from None


def validate(payload: Any, site: SiteView) -> Consent:
    """Check a decoded body against the contract and the site; collect every error before raising."""
    if not isinstance(payload, dict):
        raise InvalidConsent({"body": "must be a JSON object"})
    errors: dict[str, str] = {}
    for name in payload:
        if name not in FIELDS:
            errors[_field_name(name)] = f"unknown field; expected only {', '.join(FIELDS)}"
    for name in REQUIRED:
        if name not in payload:
            errors[name] = "is required"
    values: dict[str, Any] = {}
    for name, check in _CHECKS.items():
        if name in payload:
            try:
                values[name] = check(payload[name], site)
            except InvalidConsent as exc:
                errors.update(exc.fields)
    if not errors:
        exempt = GPC_DENIES[site.gpc_policy] if values.get("gpc") else ()
        _check_method_matches(values["method"], values["choices"], exempt, errors)
    if errors:
        raise InvalidConsent(errors)
    return Consent(values["consent_id"], values["choices"], values["method"], values["revision"],
                   values["language"], values.get("page_url", ""), values.get("banner_version", ""),
                   values.get("gpc", False), values.get("receipt"), values.get("record_id"))


def _field_name(name: str) -> str:
    """A client-supplied key, made safe to echo back (printable, short)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name[:40])
    return cleaned.encode("utf-8", "replace").decode("utf-8")


def _fail(field: str, message: str) -> InvalidConsent:
    return InvalidConsent({field: message})


def _text(value: Any, field: str, maximum: int) -> str:
    """A string of printable characters that PostgreSQL and UTF-8 can store."""
    if not isinstance(value, str):
        raise _fail(field, "must be a string")
    if len(value) > maximum:
        raise _fail(field, f"must be at most {maximum} characters")
    if not value.isprintable():
        raise _fail(field, "must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(field, "must be valid Unicode (no lone surrogates)") from None
    return value


def _consent_id(value: Any, _site: SiteView) -> str:
    if not isinstance(value, str) or not CONSENT_ID.fullmatch(value):
        raise _fail("consent_id", "must be 16-64 letters, digits, '-' or '_' (a random UUID)")
    return value


def _choices(value: Any, site: SiteView) -> dict[str, bool]:
    if not isinstance(value, dict):
        raise _fail("choices", 'must be an object like {"analytics": false}')
    errors: dict[str, str] = {}
    choices: dict[str, bool] = {}
    for name, choice in value.items():
        if name not in CATEGORIES:
            errors[f"choices.{_field_name(name)}"] = f"unknown category; expected {', '.join(CATEGORIES)}"
        elif choice is not True and choice is not False:
            errors[f"choices.{name}"] = "must be true or false"
        elif name == "necessary":
            if not choice:
                errors[f"choices.{name}"] = ("necessary cookies cannot be refused; send true or "
                                             "leave it out")
        else:
            choices[name] = choice
    for name in site.categories:
        if name not in value:
            errors.setdefault(f"choices.{name}", "is required: the site asks for this category")
    if errors:
        raise InvalidConsent(errors)
    return choices


def _method(value: Any, _site: SiteView) -> str:
    if value not in METHODS or not isinstance(value, str):
        raise _fail("method", f"must be one of {', '.join(METHODS)}")
    return value


def _revision(value: Any, site: SiteView) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail("revision", "must be a positive whole number")
    if value > site.revision:
        raise _fail("revision", f"the site is at revision {site.revision}; reload the banner")
    return value


def _language(value: Any, site: SiteView) -> str:
    if not isinstance(value, str) or value not in (*LANGUAGES, *site.languages):
        raise _fail("language", f"must be one of {', '.join(site.languages or LANGUAGES)}")
    return value


def _page_url(value: Any, _site: SiteView) -> str:
    """An http(s) URL, stored without query, fragment and user info (they can carry personal data)."""
    if value is None or value == "":
        return ""
    text = _text(value, "page_url", PAGE_URL_MAX)
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text
    except ValueError:
        valid = False
    if not valid:
        raise _fail("page_url", "must be an http(s) URL like https://www.example.no/page")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _banner_version(value: Any, _site: SiteView) -> str:
    if value is None:
        return ""
    return _text(value, "banner_version", BANNER_VERSION_MAX)


def _gpc(value: Any, _site: SiteView) -> bool:
    if not isinstance(value, bool):
        raise _fail("gpc", "must be true or false")
    return value


def _receipt(value: Any, _site: SiteView) -> str | None:
    """The latest receipt of this consent ID, as the server returned it (checked when recording)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > RECEIPT_MAX:
        raise _fail("receipt", f"must be the receipt string the server returned (at most {RECEIPT_MAX} "
                               "characters), or null")
    return value


def _record_id(value: Any, _site: SiteView) -> str | None:
    """The banner's random ID for this record, the same on every retry of it."""
    if value is None:
        return None
    if not isinstance(value, str) or not CONSENT_ID.fullmatch(value):
        raise _fail("record_id", "must be 16-64 letters, digits, '-' or '_' (a random UUID), or null")
    return value


_CHECKS = {"consent_id": _consent_id, "choices": _choices, "method": _method,
           "revision": _revision, "language": _language, "page_url": _page_url,
           "banner_version": _banner_version, "gpc": _gpc, "receipt": _receipt, "record_id": _record_id}


def _check_method_matches(method: str, choices: dict[str, bool], gpc_denied: tuple[str, ...],
                          errors: dict[str, str]) -> None:
    """accept_all must accept everything but what the visitor's Global Privacy Control signal
    denies under the site's policy; reject_all and withdraw must refuse everything."""
    wanted = {"accept_all": True, "reject_all": False, "withdraw": False}.get(method)
    if wanted is None:
        return
    wrong = sorted(name for name, choice in choices.items()
                   if choice is not wanted and not (wanted and name in gpc_denied))
    if wrong:
        errors["method"] = (f"{method} contradicts choices ({', '.join(wrong)} "
                            f"{'refused' if wanted else 'accepted'}); send method custom")
