"""Everything a scan saw, merged across its browser contexts and phases.

One object per scan, only touched from the event loop's thread, so it needs no locks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .collect import Setters, cookie_record, is_pixel

PHASES = ("before", "accept", "reject")


@dataclass
class Observations:
    setters: Setters = field(default_factory=Setters)
    cookies: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    storage: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_cookie(self, raw: dict[str, Any], page_url: str, phase: str) -> None:
        key = (raw["name"], raw["domain"], raw.get("path", "/"))
        item = self.cookies.get(key)
        if item is None:
            item = self.cookies[key] = {**cookie_record(raw), "first_seen_url": page_url,
                                        "phases": {}, "seen_at": time.time()}
        item["phases"].setdefault(phase, page_url)

    def add_storage(self, kind: str, name: str, origin: str, page_url: str, phase: str) -> None:
        key = (kind, str(name), origin)
        item = self.storage.get(key)
        if item is None:
            item = self.storage[key] = {"kind": kind, "name": str(name), "origin": origin,
                                        "first_seen_url": page_url, "phases": {}}
        item["phases"].setdefault(phase, page_url)

    def add_request(self, url: str, resource_type: str, headers: dict[str, str]) -> None:
        host = urlsplit(url).hostname
        if not host:
            return
        entry = self.requests.setdefault(host, {"count": 0, "pixels": 0})
        entry["count"] += 1
        if is_pixel(resource_type, headers):
            entry["pixels"] += 1

    def cookie_count(self) -> int:
        return len(self.cookies)
