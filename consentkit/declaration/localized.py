"""The declaration put into one language: a plain dict of ready-to-show strings.

Every output format renders this same dict, so a wording fix in `texts.py` reaches the hosted page,
the embedded script, Markdown and JSON at once. Values are unescaped text; each renderer escapes
for its own medium.
"""

from __future__ import annotations

from typing import Any

from .content import Declaration, Item, Section
from .texts import date_words, legal_basis_key, lifetime_words, texts

# Where a purpose is missing in one language, the closest one written by the knowledge base.
PURPOSE_FALLBACK = {"nb": ("nb", "en"), "nn": ("nn", "nb", "en"), "en": ("en", "nb")}


def purpose_text(item: Item, lang: str) -> str:
    for candidate in PURPOSE_FALLBACK[lang]:
        text = (item.purpose.get(candidate) or "").strip()
        if text:
            return text
    return texts(lang)["pixel_purpose" if item.kind == "pixel" else "no_purpose"]


def localize_item(item: Item, lang: str) -> dict[str, Any]:
    t = texts(lang)
    return {
        "name": item.name,
        "provider": item.provider or t["unknown_provider"],
        "purpose": purpose_text(item, lang),
        "lifetime": lifetime_words(item.lifetime_seconds, item.kind, lang),
        "lifetime_seconds": item.lifetime_seconds,
        "type": t["kinds"].get(item.kind, item.kind),
        "kind": item.kind,
        "party": t["parties"].get(item.party, item.party),
        "party_key": item.party,
        "domain": item.domain,
    }


def localize_section(section: Section, lang: str) -> dict[str, Any]:
    t = texts(lang)
    title, description = t["categories"][section.category]
    providers = sorted({i.provider for i in section.items if i.provider}, key=str.lower)
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
    return texts(lang)["scan_info"].format(url=decl.scan_url, date=date_words(decl.scanned_at, lang),
                                           revision=decl.revision)


def panel_texts(lang: str) -> dict[str, Any]:
    """What the consent panel (static/declaration/panel.js) needs, category names included."""
    t = texts(lang)
    return {**t["panel"], "lang": lang,
            "categories": {key: value[0] for key, value in t["categories"].items()}}


def localize(decl: Declaration, lang: str, declaration_url: str = "") -> dict[str, Any]:
    """The whole declaration in `lang`; `declaration_url` is the hosted page, for links back to it."""
    t = texts(lang)
    sections = [localize_section(s, lang) for s in decl.sections]
    empty = None
    if not decl.scanned:
        empty = t["not_scanned"]
    elif not sections:
        empty = t["nothing_found"]
    return {
        "lang": lang,
        "site": {"key": decl.site_key, "name": decl.site_name},
        "revision": decl.revision,
        "title": t["title"],
        "intro": [p.format(site=decl.site_name) for p in t["intro"]],
        "scan": None if not decl.scanned else {
            "id": decl.scan_id, "url": decl.scan_url, "date": date_words(decl.scanned_at, lang),
            "date_iso": decl.scanned_at.isoformat() + "Z" if decl.scanned_at else None},
        "scan_info": scan_info(decl, lang),
        "empty": empty,
        "legal_basis_label": t["legal_basis_label"],
        "columns": dict(t["columns"]),
        "sections": sections,
        "panel": panel_texts(lang),
        "declaration_url": declaration_url,
        "privacy_policy_url": decl.privacy_policy_url,
        "generated_by": t["generated_by"],
        "privacy_policy_label": t["privacy_policy"],
    }
