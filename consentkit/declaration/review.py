"""What the owner should know before publishing a declaration: the CLI prints it, the admin shows it.

A declaration that describes cookies set before consent is still a violation on the site; a
missing controller leaves out what art. 13 asks first; a purpose with no text in a language is
published as a generated sentence, which the owner may want to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..localformat import date_text
from .content import Declaration
from .legal import vendor_legal
from .localized import localize_item

WARNING, NOTE = "warning", "note"


@dataclass(frozen=True)
class Notice:
    """One finding; `items` names what it is about."""

    level: str
    text: str
    items: tuple[str, ...] = ()


def _names(names: Any, limit: int = 8) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def violations_notice(decl: Declaration) -> Notice | None:
    if not decl.violations:
        return None
    when = f" of {date_text(decl.scanned_at, 'en')}" if decl.scanned_at else ""
    return Notice(WARNING, f"the latest scan{when} found {len(decl.violations)} item(s) set before "
                  f"consent or after rejection: {_names(decl.violations)}. The declaration lists "
                  "them, but the site must not set them until the visitor agrees.", decl.violations)


def generated_purposes(decl: Declaration, languages: tuple[str, ...]) -> dict[str, list[str]]:
    """Per language, the items whose published purpose is a generated sentence."""
    found: dict[str, list[str]] = {}
    for lang in languages:
        for section in decl.sections:
            for item in section.items:
                if item.kind != "pixel" and localize_item(item, lang)["purpose_generated"]:
                    found.setdefault(lang, []).append(item.name)
    return found


def review(decl: Declaration) -> list[Notice]:
    """Every notice for `decl`, warnings first."""
    notices = [n for n in (violations_notice(decl),) if n is not None]
    if not decl.controller.name:
        notices.append(Notice(WARNING, "no controller is named (GDPR art. 13(1)(a)): set it with "
                              f"`consentkit site edit {decl.site_key} --controller-name …` or in the "
                              "site's settings."))
    by_items: dict[tuple[str, ...], list[str]] = {}
    for lang, names in generated_purposes(decl, decl.languages).items():
        by_items.setdefault(tuple(names), []).append(lang)
    for names, langs in by_items.items():
        notices.append(Notice(NOTE, f"{len(names)} item(s) have no purpose written in "
                              f"{', '.join(langs)}, so the declaration says one made from category "
                              f"and provider: {_names(names)}. Write it with an override in the "
                              "inventory.", names))
    unknown = sorted({i.provider for s in decl.sections for i in s.items
                      if i.party == "third" and i.provider and vendor_legal(i.provider) is None})
    if unknown:
        notices.append(Notice(NOTE, "the knowledge base does not say in which country these "
                              f"providers process data, or on what basis: {_names(unknown)}.",
                              tuple(unknown)))
    return notices
