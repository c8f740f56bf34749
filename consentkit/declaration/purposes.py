"""What an item is for and who provides it, as published in each language.

A purpose written in the visitor's language is used as it is. Where none is written (most
knowledge-base entries have no nynorsk yet; host and heuristic answers have no text at all), the
published text is a plain sentence in that language made from the category and the provider:
never another language's text, so a nynorsk page shows no bokmål and a Norwegian page no English.
The admin marks such purposes (`generated`), so the owner can write one with an override.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .texts import LANGUAGES, texts

# A trailing qualifier in brackets that is a technical note, not a name: "(server-side tagging)",
# "(via Vipps)", "(Universal, ga.js)", "(generic)". Names in brackets stay: "Meta (Facebook)".
_QUALIFIER = re.compile(r"\s*\((?:[a-z][^()]*|[^()]*\.[a-z]{2,}[^()]*)\)\s*$")


def provider_name(provider: str | None) -> str:
    """The provider as a visitor reads it: the knowledge base's name without technical notes."""
    name = (provider or "").strip()
    return _QUALIFIER.sub("", name).strip() or name


def generated_purpose(category: str, provider: str, kind: str, lang: str) -> str:
    """The sentence shown when no purpose is written in `lang`."""
    t = texts(lang)
    if kind == "pixel":
        return t["pixel_purpose"]
    with_provider, without = t["purpose_generated"].get(category, t["purpose_generated"]["unclassified"])
    name = provider_name(provider)
    return with_provider.format(provider=name) if name else without


def published_purpose(purpose: Mapping[str, Any] | None, category: str, provider: str, kind: str,
                      lang: str) -> tuple[str, bool]:
    """(text, generated): the written purpose in `lang`, else the generated sentence."""
    written = str((purpose or {}).get(lang) or "").strip()
    if written:
        return written, False
    return generated_purpose(category, provider, kind, lang), True


def published_purposes(item: Mapping[str, Any]) -> dict[str, str]:
    """The purpose in every language, as the banner's `cookies[].purpose` carries it."""
    return {lang: published_purpose(item.get("purpose"), item.get("category") or "unclassified",
                                    item.get("provider") or "", item.get("kind") or "cookie", lang)[0]
            for lang in LANGUAGES}
