"""The declaration as data: what the latest scan of each origin found, by category, in no language yet.

Built from the scan report and the site's overrides only (through `consentkit.scans.inventory`), so the
hosted page, the embedded script, the CLI and the privacy-policy section cannot disagree. Items of
a category we do not know end up in the unclassified section: nothing the scanner found is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..kb.classifier import default_classifier
from ..models import CATEGORIES, Scan, Site
from ..scans.inventory import latest_scans, site_inventory
from .texts import SECTIONS

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Item:
    """One cookie or storage item as the visitor is told about it."""

    name: str
    kind: str
    domain: str
    party: str
    provider: str
    purpose: dict[str, str]
    lifetime_seconds: float | None
    category: str
    # The lifetime the knowledge base documents ("up to 2 years"), for cookies the browser caps.
    documented_lifetime: str = ""
    # The site's origins or hosts the scans saw it on (several domains, one site), when known.
    seen_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Controller:
    """Who is responsible for the processing (GDPR art. 13(1)(a)); every field may be empty."""

    name: str = ""
    org_number: str = ""
    address: str = ""
    email: str = ""


@dataclass(frozen=True)
class Section:
    """A category with its items; `category` is one of CATEGORIES or "unclassified"."""

    category: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Declaration:
    """Everything a declaration says, for one site at one revision."""

    site_key: str
    site_name: str
    revision: int
    languages: tuple[str, ...]
    scan_id: int | None = None
    scan_url: str = ""
    scanned_at: datetime | None = None
    privacy_policy_url: str | None = None
    sections: tuple[Section, ...] = field(default_factory=tuple)
    controller: Controller = field(default_factory=Controller)
    # The owner's intro and closing per language ({lang: {"intro": …, "closing": …}}).
    owner_texts: dict[str, dict[str, str]] = field(default_factory=dict)
    retention_days: int = 5 * 365
    ip_mode: str = "truncate"
    cookie_name: str = "consentkit"
    # Names of items the latest scan found set before consent or after rejection.
    violations: tuple[str, ...] = ()

    @property
    def scanned(self) -> bool:
        return self.scan_id is not None

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)


def _item(raw: dict[str, Any]) -> Item:
    category = raw.get("category") or UNCLASSIFIED
    purpose = raw.get("purpose") or {}
    return Item(
        name=str(raw.get("name") or ""), kind=str(raw.get("kind") or "cookie"),
        domain=str(raw.get("domain") or ""), party=raw.get("party") or "first",
        provider=str(raw.get("provider") or ""),
        purpose={lang: str(text or "") for lang, text in purpose.items()},
        lifetime_seconds=raw.get("lifetime_seconds"),
        category=category if category in CATEGORIES else UNCLASSIFIED,
        documented_lifetime=str(raw.get("documented_lifetime") or ""),
        seen_on=tuple(str(origin) for origin in raw.get("seen_on") or ()),
    )


def group_items(items: list[dict[str, Any]]) -> tuple[Section, ...]:
    """Sections in the fixed order necessary → marketing → unclassified, skipping empty ones."""
    converted = [_item(raw) for raw in items]
    sections = []
    for category in SECTIONS:
        members = sorted((i for i in converted if i.category == category),
                         key=lambda i: (i.name.lower(), i.domain, i.kind))
        if members:
            sections.append(Section(category, tuple(members)))
    return tuple(sections)


def build_declaration(site: Site, scans: Scan | list[Scan] | None,
                      items: list[dict[str, Any]]) -> Declaration:
    """The declaration for `site` from its origins' latest scans and the inventory classified from
    them. It is dated by the newest of those scans and names every scanned URL."""
    if scans is None:
        scans = []
    elif isinstance(scans, Scan):
        scans = [scans]
    newest = max(scans, key=lambda s: (s.finished_at or s.started_at, s.id), default=None)
    violations = tuple(dict.fromkeys(name for scan in scans for name in violation_names(scan.report)))
    return Declaration(
        site_key=site.key, site_name=site.name, revision=site.revision,
        languages=tuple(site.languages or ("nb",)),
        scan_id=newest.id if newest is not None else None,
        scan_url=", ".join(scan.url for scan in scans),
        scanned_at=(newest.finished_at or newest.started_at) if newest is not None else None,
        privacy_policy_url=site.privacy_policy_url,
        sections=group_items(items), controller=site_controller(site),
        owner_texts=dict(site.declaration_texts or {}),
        retention_days=site.retention_days or 5 * 365, ip_mode=site.ip_mode or "truncate",
        cookie_name=site.cookie_name or "consentkit",
        violations=violations,
    )


def site_controller(site: Site) -> Controller:
    return Controller(name=site.controller_name or "", org_number=site.controller_org_number or "",
                      address=site.controller_address or "", email=site.controller_email or "")


def violation_names(report: dict[str, Any] | None) -> tuple[str, ...]:
    """The items a scan found set before consent or after rejection, each name once."""
    names = [str(v.get("name") or "") for v in (report or {}).get("violations") or []
             if isinstance(v, dict)]
    return tuple(dict.fromkeys(name for name in names if name))


def pixel_items(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Third-party tracking pixels (beacons, tiny images) from the report, as declaration items.

    A pixel stores nothing in the browser but tells a third party about the visit, so it needs
    consent like a cookie does. Hosts are classified again with today's knowledge base, falling
    back to what the scan recorded.
    """
    classifier = default_classifier()
    items = []
    for entry in report.get("requests") or []:
        if not entry.get("pixel") or entry.get("party") != "third":
            continue
        hosts = list(entry.get("hosts") or [entry.get("domain") or ""])
        match = next((m for m in map(classifier.classify_host, hosts) if m is not None), None)
        # The scanner counts pixels per registrable domain, not per host: name the domain.
        domain = entry.get("domain") or hosts[0]
        items.append({"name": domain, "kind": "pixel", "domain": domain,
                      "party": "third", "lifetime_seconds": None, "purpose": {},
                      "category": getattr(match, "category", None) or entry.get("category") or UNCLASSIFIED,
                      "provider": getattr(match, "provider", None) or entry.get("provider") or ""})
    return items


def load_declaration(session: Session, site: Site) -> Declaration:
    """The site's inventory (the latest finished scan of each of its origins, merged, classified
    with today's knowledge and the site's overrides) and the pixels those scans saw."""
    scans = [scan for scan in latest_scans(session, site) if scan.report]
    items = site_inventory(session, site, scans)
    pixels: dict[str, dict[str, Any]] = {}
    for scan in scans:
        for pixel in pixel_items(scan.report):
            pixels.setdefault(pixel["domain"], pixel)
    return build_declaration(site, scans, items + list(pixels.values()))
