"""What changed between two scans of one origin: new items, gone items, changed categories and new
violations. Stored with each finished scan (`scans.diff`), shown in the admin and sent in
notifications, so the owner hears what a rescan found without reading the whole inventory.

Both reports are classified with today's knowledge base and the site's overrides, so a change of
classification by the owner is not reported as a change of the site.

Format (`version` 1): `{"version", "previous_scan_id" (null for an origin's first scan),
"new": [item], "gone": [item], "changed": [item + "from"], "new_violations": [violation],
"violations": count}`; an item is `{kind, name, domain, category, provider}`, a violation as in
the scan report (scanner.report).
"""

from __future__ import annotations

from typing import Any

from .inventory import classify_report_items

VERSION = 1
ItemKey = tuple[str, str, str]


def _key(item: dict[str, Any]) -> ItemKey:
    return item["kind"], item["name"], item["domain"]


def _brief(item: dict[str, Any]) -> dict[str, Any]:
    return {"kind": item["kind"], "name": item["name"], "domain": item["domain"],
            "category": item["category"], "provider": item.get("provider") or ""}


def _violation_key(violation: dict[str, Any]) -> tuple[str, str, str, str]:
    return (str(violation.get("kind") or "cookie"), str(violation.get("name") or ""),
            str(violation.get("domain") or ""), str(violation.get("phase") or ""))


def compare(previous: dict[str, Any] | None, current: dict[str, Any], overrides: list[Any],
            previous_scan_id: int | None = None) -> dict[str, Any]:
    """The diff from `previous` (None: the origin's first scan, where everything is new)."""
    now = {_key(i): i for i in classify_report_items(current, overrides)}
    before = {_key(i): i for i in classify_report_items(previous, overrides)} if previous else {}
    violations = [v for v in current.get("violations") or [] if isinstance(v, dict)]
    seen = {_violation_key(v) for v in (previous or {}).get("violations") or [] if isinstance(v, dict)}
    return {
        "version": VERSION, "previous_scan_id": previous_scan_id,
        "new": [_brief(i) for k, i in now.items() if k not in before],
        "gone": [_brief(i) for k, i in before.items() if k not in now],
        "changed": [{**_brief(i), "from": before[k]["category"]} for k, i in now.items()
                    if k in before and before[k]["category"] != i["category"]],
        "new_violations": [v for v in violations if _violation_key(v) not in seen],
        "violations": len(violations),
    }


def is_notable(diff: dict[str, Any] | None) -> bool:
    """Worth telling the owner: something new, a category that changed, or a new violation.
    Items that are gone alone are not (the site got cleaner)."""
    return bool(diff and (diff.get("new") or diff.get("changed") or diff.get("new_violations")))


def summary(diff: dict[str, Any]) -> str:
    """One line: "2 new, 1 gone, 1 changed category, 1 new violation"."""
    parts = [f"{len(diff.get('new') or [])} new", f"{len(diff.get('gone') or [])} gone"]
    if diff.get("changed"):
        parts.append(f"{len(diff['changed'])} changed category")
    count = len(diff.get("new_violations") or [])
    parts.append(f"{count} new violation{'s' if count != 1 else ''}")
    return ", ".join(parts)
