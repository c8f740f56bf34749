"""The declaration put into one language: a plain dict of ready-to-show strings.

Every output format renders this same dict, so a wording fix in `texts.py` reaches the hosted page,
the embedded script, Markdown and JSON at once. Values are unescaped text; each renderer escapes
for its own medium.
"""

from __future__ import annotations

from typing import Any

from ..localformat import (
    date_pattern,
    date_text,
    lifetime_text,
)
from . import owner_texts
from .content import Declaration, Item, Section
from .legal import legal_view
from .purposes import provider_name, published_purpose
from .texts import legal_basis_key, texts

COLUMNS = ("name", "provider", "purpose", "lifetime", "type", "party", "domain")


def lifetime_parts(item: Item, lang: str) -> tuple[str, str]:
    """(lifetime, note). A cookie the browser cut to its 400-day cap is given the vendor's own
    documented lifetime (`localformat.lifetime_text` decides, for every page alike), with a note
    of what the browser keeps."""
    shown = lifetime_text(item.lifetime_seconds, item.kind, lang, item.documented_lifetime)
    measured = lifetime_text(item.lifetime_seconds, item.kind, lang)
    if shown == measured:
        return shown, ""
    return shown, texts(lang)["lifetime_capped"].format(documented=shown, measured=measured)


def localize_item(item: Item, lang: str) -> dict[str, Any]:
    t = texts(lang)
    purpose, generated = published_purpose(item.purpose, item.category, item.provider, item.kind, lang)
    lifetime, note = lifetime_parts(item, lang)
    return {
        "name": item.name,
        "provider": provider_name(item.provider) or t["unknown_provider"],
        "purpose": purpose,
        "purpose_generated": generated,
        "lifetime": lifetime,
        "lifetime_note": note,
        "lifetime_seconds": item.lifetime_seconds,
        "type": t["kinds"].get(item.kind, item.kind),
        "kind": item.kind,
        "party": t["parties"].get(item.party, item.party),
        "party_key": item.party,
        "domain": item.domain,
        "seen_on": ", ".join(item.seen_on),
    }


def localize_section(section: Section, lang: str) -> dict[str, Any]:
    t = texts(lang)
    title, description = t["categories"][section.category]
    providers = sorted({provider_name(i.provider) for i in section.items if i.provider}, key=str.lower)
    return {
        "category": section.category,
        "title": title,
        "description": description,
        "legal_basis": t["legal_basis"][legal_basis_key(section.category)],
        "caption": t["table_caption"].format(category=title),
        "providers": providers,
        "items": [localize_item(item, lang) for item in section.items],
    }


def scan_info(decl: Declaration, lang: str) -> str:
    if not decl.scanned:
        return texts(lang)["not_scanned"]
    return texts(lang)["scan_info"].format(url=decl.scan_url, date=date_text(decl.scanned_at, lang),
                                           revision=decl.revision)


def panel_texts(lang: str) -> dict[str, Any]:
    """What the consent panel (static/declaration/panel.js) needs: category names, and CLDR's date
    pattern for the consent date (browsers lack nynorsk locale data)."""
    t = texts(lang)
    return {**t["panel"], "lang": lang, "dates": date_pattern(lang),
            "categories": {key: value[0] for key, value in t["categories"].items()}}


def variables(decl: Declaration, lang: str, declaration_url: str) -> dict[str, str]:
    """The values of the owner's {variables} (owner_texts.VARIABLES)."""
    c = decl.controller
    return {"site": decl.site_name, "controller": c.name or decl.site_name, "org_number": c.org_number,
            "address": c.address, "email": c.email, "privacy_policy_url": decl.privacy_policy_url or "",
            "declaration_url": declaration_url, "scan_date": date_text(decl.scanned_at, lang)}


def owner_paragraphs(decl: Declaration, lang: str, part: str, declaration_url: str) -> list[str] | None:
    text = (decl.owner_texts.get(lang) or {}).get(part)
    if not text:
        return None
    return owner_texts.fill(text, variables(decl, lang, declaration_url))


def columns(decl: Declaration) -> tuple[str, ...]:
    """The table's columns; "seen on" only when a scan of several domains recorded it."""
    if any(item.seen_on for section in decl.sections for item in section.items):
        return (*COLUMNS, "seen_on")
    return COLUMNS


def localize(decl: Declaration, lang: str, declaration_url: str = "") -> dict[str, Any]:
    """The whole declaration in `lang`; `declaration_url` is the hosted page, for links back to it."""
    t = texts(lang)
    sections = [localize_section(s, lang) for s in decl.sections]
    empty = None
    if not decl.scanned:
        empty = t["not_scanned"]
    elif not sections:
        empty = t["nothing_found"]
    intro = owner_paragraphs(decl, lang, "intro", declaration_url)
    return {
        "lang": lang,
        "site": {"key": decl.site_key, "name": decl.site_name},
        "revision": decl.revision,
        "title": t["title"],
        "intro": intro if intro is not None else [p.format(site=decl.site_name) for p in t["intro"]],
        "closing": owner_paragraphs(decl, lang, "closing", declaration_url) or [],
        "scan": None if not decl.scanned else {
            "id": decl.scan_id, "url": decl.scan_url, "date": date_text(decl.scanned_at, lang),
            "date_iso": decl.scanned_at.isoformat() + "Z" if decl.scanned_at else None},
        "scan_info": scan_info(decl, lang),
        "empty": empty,
        "legal_basis_label": t["legal_basis_label"],
        "columns": {key: t["columns"][key] for key in columns(decl)},
        "sections": sections,
        "legal": legal_view(decl, lang),
        "panel": panel_texts(lang),
        "declaration_url": declaration_url,
        "privacy_policy_url": decl.privacy_policy_url,
        "generated_by": t["generated_by"],
        "privacy_policy_label": t["privacy_policy"],
    }
