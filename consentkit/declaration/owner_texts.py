"""The owner's own intro and closing of the declaration, per language, with {variables}.

Stored on the site as `declaration_texts` ({lang: {"intro": …, "closing": …}}). Only the named
variables below are filled in; anything else in braces is refused when saved, so a typo never
reaches a visitor as "{contoller}". Plain text: blank lines separate paragraphs, and every renderer
escapes it like any other text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidSiteSettings

PARTS = ("intro", "closing")
LANGUAGES = ("nb", "nn", "en")
VARIABLES = {
    "site": "the site's name",
    "controller": "the controller's name",
    "org_number": "the organisation number",
    "address": "the controller's address",
    "email": "the contact e-mail",
    "privacy_policy_url": "the privacy policy's address",
    "declaration_url": "the hosted declaration's address",
    "scan_date": "the date of the latest scan",
}
MAX_LENGTH = 5000
_VARIABLE = re.compile(r"\{([^{}]*)\}")


def validate(value: Any) -> dict[str, dict[str, str]]:
    """Check and normalise a {lang: {part: text}} object; empty texts are dropped (the default)."""
    if not isinstance(value, Mapping):
        raise InvalidSiteSettings('declaration texts must be a JSON object: {"nb": {"intro": "…"}}')
    clean: dict[str, dict[str, str]] = {}
    for lang, parts in value.items():
        if lang not in LANGUAGES or not isinstance(parts, Mapping):
            raise InvalidSiteSettings(f"declaration texts: {lang!r} must be one of "
                                      f"{', '.join(LANGUAGES)} with an object of texts")
        for part, text in parts.items():
            if part not in PARTS or not isinstance(text, str):
                raise InvalidSiteSettings(f"declaration texts: {lang}.{part} must be one of "
                                          f"{', '.join(PARTS)}, as text")
            text = text.replace("\r\n", "\n").strip()
            if len(text) > MAX_LENGTH:
                raise InvalidSiteSettings(f"declaration texts: {lang}.{part} is longer than "
                                          f"{MAX_LENGTH} characters")
            unknown = sorted({name for name in _VARIABLE.findall(text) if name not in VARIABLES})
            if unknown:
                raise InvalidSiteSettings(
                    f"declaration texts: {lang}.{part} uses unknown variables "
                    f"{', '.join('{' + u + '}' for u in unknown)}; known: "
                    f"{', '.join('{' + v + '}' for v in VARIABLES)}")
            if text:
                clean.setdefault(lang, {})[part] = text
    return clean


def fill(text: str, values: Mapping[str, str]) -> list[str]:
    """The text with its variables filled in, as paragraphs (split at blank lines)."""
    filled = _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)) or "", text)
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", filled) if p.strip()]
