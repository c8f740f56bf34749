"""The review queue's rules: which inventory items wait for the owner, and patterns that let one
answer cover many names (`_ga_*`). A pattern is a name prefix followed by `*`; it is stored as a
prefix override, which the classifier applies to every item whose name starts with it.
"""

from __future__ import annotations

import re
from typing import Any

from ..models import CATEGORIES

# A name ending in an id (digits somewhere after its last separator): `_ga_ABC123`, `_hjSession_3214`.
_ID_TAIL = re.compile(r"^(.+?[_\-.])[^_\-.]*\d[^_\-.]*$")


class InvalidPattern(ValueError):
    """A pattern that is not `prefix*`, or that does not cover the item it was given for."""


def is_unclassified(item: dict[str, Any]) -> bool:
    return item.get("category") not in CATEGORIES


def needs_review(item: dict[str, Any]) -> bool:
    """Unclassified, or only guessed from the name: the owner should say what it is."""
    return is_unclassified(item) or item.get("confidence") == "low"


def by_category(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    order = [*CATEGORIES, "unclassified"]
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        group = item["category"] if item["category"] in CATEGORIES else "unclassified"
        groups.setdefault(group, []).append(item)
    return sorted(groups.items(), key=lambda kv: order.index(kv[0]))


def suggested_pattern(name: str) -> str:
    """`_ga_ABC123` → `_ga_*`: the name without its trailing id; "" when it has none."""
    match = _ID_TAIL.match(name)
    return match.group(1) + "*" if match else ""


def pattern_prefix(pattern: str, name: str) -> str:
    """The prefix of `prefix*`; it must cover `name`, and be more than a separator or two."""
    pattern = pattern.strip()
    if not pattern.endswith("*") or "*" in pattern[:-1]:
        raise InvalidPattern(f"pattern {pattern!r}: write a name prefix followed by one *, like _ga_*")
    prefix = pattern[:-1]
    if len(prefix.strip("_-.")) < 2:
        raise InvalidPattern(f"pattern {pattern!r} would match nearly everything; give at least two "
                             "letters before the *")
    if not name.startswith(prefix):
        raise InvalidPattern(f"pattern {pattern!r} does not match {name!r}, the item you classified")
    return prefix


def matching(queue: list[dict[str, Any]], kind: str, prefix: str) -> list[str]:
    return [item["name"] for item in queue if item["kind"] == kind and item["name"].startswith(prefix)]
