"""Sites: create, edit, look up, and keep the revision in step with what visitors are shown."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..declaration import owner_texts
from ..errors import InvalidSiteSettings, UnknownSite
from ..models import OPTIONAL_CATEGORIES, ConsentRecord, Site, SiteRevision, utcnow
from . import snapshot

LANGUAGES = ("nb", "nn", "en")
GPC_POLICIES = ("marketing", "marketing_analytics", "ignore")
# What a visitor's Global Privacy Control signal denies under each policy (the banner's GPC table).
GPC_DENIES: dict[str, tuple[str, ...]] = {"marketing": ("marketing",),
                                          "marketing_analytics": ("marketing", "analytics"),
                                          "ignore": ()}
IP_MODES = ("truncate", "hash", "none")
RESCANS = ("off", "weekly", "monthly")


@dataclass(frozen=True)
class Field:
    """A setting that `site add/edit`, the admin form and the API accept, with its validator."""

    name: str
    help: str
    parse: Any


def parse_origin(value: str) -> str:
    """Normalise an origin to scheme://host[:port]; reject paths, wildcards and non-http schemes."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSiteSettings(f"origin {value!r} must look like https://www.example.no")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise InvalidSiteSettings(f"origin {value!r} must not have a path, query or user")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def parse_origins(values: Iterable[str]) -> list[str]:
    origins = list(dict.fromkeys(parse_origin(v) for v in values if v.strip()))
    if not origins:
        raise InvalidSiteSettings("a site needs at least one origin, e.g. https://www.example.no")
    return origins


def parse_languages(values: Iterable[str]) -> list[str]:
    langs = list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    unknown = [lang for lang in langs if lang not in LANGUAGES]
    if unknown or not langs:
        raise InvalidSiteSettings(f"languages must be among {', '.join(LANGUAGES)}; got {unknown}")
    return langs


def parse_categories(values: Iterable[str]) -> list[str]:
    cats = list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    unknown = [c for c in cats if c not in OPTIONAL_CATEGORIES]
    if unknown:
        raise InvalidSiteSettings(
            f"categories must be among {', '.join(OPTIONAL_CATEGORIES)}; got {unknown}")
    return cats


def _choice(options: tuple[str, ...], what: str):
    def parse(value: str) -> str:
        if value not in options:
            raise InvalidSiteSettings(f"{what} must be one of {', '.join(options)}; got {value!r}")
        return value
    return parse


def _positive_int(what: str, maximum: int):
    def parse(value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidSiteSettings(f"{what} must be a whole number; got {value!r}") from None
        if not 1 <= number <= maximum:
            raise InvalidSiteSettings(f"{what} must be between 1 and {maximum}; got {number}")
        return number
    return parse


def _optional_url(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSiteSettings(f"{value!r} is not an http(s) URL")
    return value


def _cookie_name(value: str) -> str:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    if not value or len(value) > 64 or set(value) - allowed:
        raise InvalidSiteSettings("cookie name: 1-64 letters, digits, '_' or '-'")
    return value


def _name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 200:
        raise InvalidSiteSettings("name must be 1-200 characters")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidSiteSettings(f"expected yes or no; got {value!r}")


def parse_emails(values: Any) -> list[str]:
    """Addresses for scan notifications: a list, or one string split on commas and whitespace."""
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    emails = list(dict.fromkeys(str(v).strip() for v in values or () if str(v).strip()))
    bad = [e for e in emails if not _EMAIL.fullmatch(e)]
    if bad:
        raise InvalidSiteSettings(f"not an e-mail address: {', '.join(bad)}")
    return emails


_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


def _webhook_url(value: str | None) -> str | None:
    """An http(s) URL, https unless it is this machine (a receiver under test)."""
    url = _optional_url((value or "").strip() or None)
    host = urlsplit(url).hostname if url else None
    if url and url.startswith("http:") and host not in ("127.0.0.1", "localhost", "::1"):
        raise InvalidSiteSettings(f"webhook {url!r}: use https (the payload names the site's cookies)")
    return url
def _optional_text(what: str, maximum: int):
    """Free text on one line, or None when empty (clears the setting)."""
    def parse(value: Any) -> str | None:
        text = " ".join(str(value or "").split())
        if len(text) > maximum:
            raise InvalidSiteSettings(f"{what} must be at most {maximum} characters")
        return text or None
    return parse


def parse_org_number(value: Any) -> str | None:
    """A Norwegian organisation number (9 digits, mod-11 check digit) as "933 717 089".

    "NO 933 717 089 MVA" is accepted too. A number from another register (letters in it, such
    as "HRB 12345" or "SE556677889901") is kept as written.
    """
    text = " ".join(str(value or "").split())
    if not text:
        return None
    if len(text) > 40:
        raise InvalidSiteSettings("organisation number must be at most 40 characters")
    bare = re.sub(r"^NO|MVA$", "", text.upper().replace(" ", "").replace(".", ""))
    if not bare.isdigit():
        return text
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    check = 11 - sum(int(d) * w for d, w in zip(bare, weights, strict=False)) % 11
    if len(bare) != 9 or (check % 11) != int(bare[8]) or check == 10:
        raise InvalidSiteSettings(f"organisation number {text!r} is not a valid Norwegian "
                                  "organisation number (9 digits, see brreg.no)")
    return f"{bare[:3]} {bare[3:6]} {bare[6:]}"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.match(text):
        raise InvalidSiteSettings(f"{text!r} is not an e-mail address")
    return text


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidSiteSettings("expected a JSON object")
    return value


FIELDS: dict[str, Field] = {f.name: f for f in [
    Field("name", "Site name shown in the admin UI", _name),
    Field("origins", "Origins allowed to use the banner", parse_origins),
    Field("allow_subdomains", "Also allow subdomains of the origins", _bool),
    Field("languages", "Banner languages (nb, nn, en)", parse_languages),
    Field("default_language", "Language when neither page nor browser matches",
          _choice(LANGUAGES, "default language")),
    Field("categories", "Optional categories asked for", parse_categories),
    Field("texts", "Text overrides: {lang: {key: text}}", _dict),
    Field("appearance", "Colours and position", _dict),
    Field("consent_lifetime_days", "Ask again after this many days",
          _positive_int("consent lifetime", 3650)),
    Field("privacy_policy_url", "Link to the privacy policy", _optional_url),
    Field("consent_mode", "Send Google Consent Mode v2 signals", _bool),
    Field("gpc_policy", "What Global Privacy Control denies", _choice(GPC_POLICIES, "GPC policy")),
    Field("cookie_name", "Name of the consent cookie", _cookie_name),
    Field("cookie_domain", "Domain of the consent cookie (share across subdomains)",
          lambda v: v.strip().lstrip(".").lower() or None if v else None),
    Field("retention_days", "Keep consent records this many days",
          _positive_int("retention", 36500)),
    Field("ip_mode", "Client IP kept as truncate, hash or none", _choice(IP_MODES, "IP mode")),
    Field("rescan", "Rescan every origin weekly, monthly, or off", _choice(RESCANS, "rescan")),
    Field("notify_emails", "E-mail these addresses when a scan finds something new",
          parse_emails),
    Field("webhook_url", "POST what a scan found new to this URL (signed JSON)", _webhook_url),
    Field("controller_name", "The controller: the company or person responsible (GDPR art. 13)",
          _optional_text("controller name", 200)),
    Field("controller_org_number", "The controller's organisation number", parse_org_number),
    Field("controller_address", "The controller's postal address", _optional_text("address", 300)),
    Field("controller_email", "Where visitors send questions about privacy", parse_email),
    Field("declaration_texts", "Declaration intro and closing: {lang: {intro, closing}}",
          owner_texts.validate),
]}

# Settings that may be cleared (set to None).
NULLABLE = ("privacy_policy_url", "cookie_domain", "webhook_url", "controller_name",
            "controller_org_number", "controller_address", "controller_email")


def new_key() -> str:
    """A random URL-safe site key (128 bits)."""
    return secrets.token_urlsafe(16).replace("-", "x").replace("_", "y")[:22]


def defaults() -> dict[str, Any]:
    """Settings of a new site; column defaults only apply at INSERT, too late for validation."""
    return {"allow_subdomains": False, "languages": list(LANGUAGES), "default_language": "nb",
            "categories": list(OPTIONAL_CATEGORIES), "texts": {}, "appearance": {},
            "consent_lifetime_days": 365, "consent_mode": False, "gpc_policy": "marketing",
            "cookie_name": "consentkit", "retention_days": 5 * 365, "ip_mode": "truncate",
            "rescan": "off", "notify_emails": [], "declaration_texts": {}, "revision": 1}


def create_site(session: Session, *, name: str, origins: Iterable[str], **settings: Any) -> Site:
    site = Site(key=new_key(), name=_name(name), origins=parse_origins(origins), **defaults())
    _apply(site, settings)
    if site.default_language not in site.languages:
        site.languages = [site.default_language, *site.languages]
    session.add(site)
    session.flush()
    refresh_revision(session, site, force=True)
    return site


def edit_site(session: Session, site: Site, **settings: Any) -> bool:
    """Apply settings; returns True when the revision rose (visitors will be asked again)."""
    _apply(site, settings)
    if site.default_language not in site.languages:
        raise InvalidSiteSettings(
            f"default language {site.default_language} is not among {site.languages}")
    session.flush()
    return refresh_revision(session, site)


def _apply(site: Site, settings: dict[str, Any]) -> None:
    for key, value in settings.items():
        if value is None and key not in NULLABLE:
            continue
        field = FIELDS.get(key)
        if field is None:
            raise InvalidSiteSettings(f"unknown setting {key!r}; known: {', '.join(FIELDS)}")
        setattr(site, key, field.parse(value) if value is not None else None)


def add_origins(site: Site, values: Iterable[str]) -> list[str]:
    """Allow more origins; returns those that were new (an origin listed already is no error)."""
    wanted = [parse_origin(value) for value in values if value.strip()]
    added = [origin for origin in dict.fromkeys(wanted) if origin not in site.origins]
    site.origins = [*site.origins, *added]
    return added


def remove_origins(site: Site, values: Iterable[str], *, allow_none_left: bool = False) -> list[str]:
    """Stop allowing origins; each must be listed. Leaving none raises unless `allow_none_left`:
    with no origin every browser's consent POST is refused, so callers ask first."""
    gone = list(dict.fromkeys(parse_origin(value) for value in values if value.strip()))
    unknown = [origin for origin in gone if origin not in site.origins]
    if unknown:
        raise InvalidSiteSettings(f"not an origin of this site: {', '.join(unknown)}; it has "
                                  f"{', '.join(site.origins) or 'none'}")
    kept = [origin for origin in site.origins if origin not in gone]
    if not kept and not allow_none_left:
        raise LastOrigin(gone)
    site.origins = kept
    return gone


class LastOrigin(InvalidSiteSettings):
    """Removing these origins leaves the site with none: every browser's consent POST gets 403."""

    def __init__(self, origins: list[str]) -> None:
        super().__init__(f"removing {', '.join(origins)} leaves the site with no origin: every "
                         "visitor's consent would be refused (403); add the new origin first")
        self.origins = origins


API_KEY_PREFIX = "ck_"


def rotate_api_key(site: Site) -> str:
    """A new API key for server-to-server requests; only its SHA-256 is kept, the key is shown once.
    The old key stops working (within SITE_CACHE_SECONDS in other processes)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    site.api_key_hash = hashlib.sha256(key.encode()).hexdigest()
    site.api_key_created_at = utcnow()
    return key


def revoke_api_key(site: Site) -> None:
    site.api_key_hash = None
    site.api_key_created_at = None


def record_count(session: Session, site: Site) -> int:
    return int(session.scalar(select(func.count()).select_from(ConsentRecord)
                              .where(ConsentRecord.site_id == site.id)) or 0)


def delete_site(session: Session, site: Site) -> int:
    """Delete a site with its consent log, scans, jobs, overrides and keys (the foreign keys cascade,
    on SQLite too: consentkit.db turns them on); returns how many consent records went with it."""
    records = record_count(session, site)
    session.execute(delete(Site).where(Site.id == site.id))
    session.expunge(site)
    return records


def get_site(session: Session, key: str) -> Site:
    site = session.scalar(select(Site).where(Site.key == key))
    if site is None:
        raise UnknownSite(key)
    return site


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.id)))


def refresh_revision(session: Session, site: Site, force: bool = False) -> bool:
    """Bump the revision if what visitors are shown changed since the last stored revision.

    The snapshot (texts, categories, cookie list) is stored with its hash, so a consent record
    that names a revision can always be matched to what the visitor saw.
    """
    content = snapshot.visitor_snapshot(session, site)
    digest = snapshot.content_hash(content)
    latest = session.scalar(
        select(SiteRevision).where(SiteRevision.site_id == site.id)
        .order_by(SiteRevision.revision.desc()).limit(1))
    if latest is not None and latest.content_hash == digest and not force:
        return False
    if latest is not None:
        site.revision = latest.revision + 1
    session.add(SiteRevision(site_id=site.id, revision=site.revision,
                             content_hash=digest, snapshot=content))
    session.flush()
    return latest is not None


def current_revision(session: Session, site: Site) -> SiteRevision:
    rev = session.scalar(select(SiteRevision).where(
        SiteRevision.site_id == site.id, SiteRevision.revision == site.revision))
    if rev is None:
        refresh_revision(session, site, force=True)
        return current_revision(session, site)
    return rev


def site_as_dict(site: Site) -> dict[str, Any]:
    return {"key": site.key, "revision": site.revision,
            **{name: getattr(site, name) for name in FIELDS},
            "api_key": ("created " + site.api_key_created_at.isoformat(timespec="seconds") + "Z"
                        if site.api_key_created_at else None),
            "created_at": site.created_at.isoformat() + "Z"}
