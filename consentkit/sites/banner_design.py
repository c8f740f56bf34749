"""Rules a banner design must keep: "Reject all" as easy to see and press as "Accept all", and every
button's text readable. Used by the admin's banner editor before it saves anything.

The styles are those the banner gives its buttons (banner/src/banner.css): the first layer shows
"Accept all" and "Reject all" with the same class (`.p`: the accent as background, white text, the
same size), on a white box; "Customize" is `.s` (white, with the accent as text and border). So
with today's banner a weaker "Reject all" can only come from the site's own settings: an accent
too pale for white text, or a reject label that is empty or no different from the accept label.
`button_styles` is the one place that mirrors the CSS; comparing the two buttons' styles keeps
the check right if the banner ever styles them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BANNER_BACKGROUND = "#ffffff"
BUTTON_TEXT = "#ffffff"
DEFAULT_ACCENT = "#1d4ed8"
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.2 AA, normal text (1.4.3)
MIN_SHAPE_CONTRAST = 3.0  # WCAG 2.2 AA, user-interface components (1.4.11)
HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class ButtonStyle:
    background: str
    text: str
    border: str
    css_class: str


def parse_hex(value: str) -> tuple[int, int, int]:
    if not HEX.match(value or ""):
        raise ValueError(f"{value!r} is not a colour like #1d4ed8")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x)."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = parse_hex(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accent_of(appearance: dict[str, Any]) -> str:
    """The accent the banner uses: the site's, when it is a colour the banner accepts."""
    accent = str(appearance.get("accent") or "")
    return accent if HEX.match(accent) else DEFAULT_ACCENT


def button_styles(appearance: dict[str, Any]) -> dict[str, ButtonStyle]:
    accent = accent_of(appearance)
    primary = ButtonStyle(accent, BUTTON_TEXT, accent, "p")
    return {"accept": primary, "reject": primary,
            "customize": ButtonStyle(BANNER_BACKGROUND, accent, accent, "s")}


def visibility(style: ButtonStyle) -> tuple[float, float]:
    """(text against the button, button against the banner): what makes a button readable and seen."""
    edge = max(contrast(style.background, BANNER_BACKGROUND), contrast(style.border, BANNER_BACKGROUND))
    return contrast(style.text, style.background), edge


def problems(texts: dict[str, dict[str, str]], appearance: dict[str, Any], languages: list[str]) -> list[str]:
    """Why the design must not be saved ([] when it may): each message names what to change."""
    found: list[str] = []
    styles = button_styles(appearance)
    accept, reject = styles["accept"], styles["reject"]
    (accept_text, accept_edge), (reject_text, reject_edge) = visibility(accept), visibility(reject)
    if reject.css_class != accept.css_class or reject_text < accept_text or reject_edge < accept_edge:
        found.append('"Reject all" would look weaker than "Accept all": give them the same style.')
    for name, style in styles.items():
        text_ratio, _edge = visibility(style)
        if text_ratio < MIN_TEXT_CONTRAST:
            found.append(f"Accent {accent_of(appearance)}: the text of the {name} button has a contrast "
                         f"of {text_ratio:.1f}:1 against it, below {MIN_TEXT_CONTRAST}:1. "
                         "Choose a darker colour.")
            break
    if reject_edge < MIN_SHAPE_CONTRAST:
        found.append(f'"Reject all" stands out {reject_edge:.1f}:1 from the banner, below '
                     f"{MIN_SHAPE_CONTRAST}:1. Choose a darker accent.")
    for lang in languages:
        own = texts.get(lang) or {}
        reject_label = own.get("reject")
        if reject_label is not None and not reject_label.strip():
            found.append(f'{lang}: "Reject all" needs a label.')
        accept_label = own.get("accept")
        if reject_label and accept_label and reject_label.strip().lower() == accept_label.strip().lower():
            found.append(f'{lang}: "Reject all" and "Accept all" have the same label.')
    return found
