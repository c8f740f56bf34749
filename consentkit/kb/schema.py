"""The shape of a knowledge-base entry and a tracker host, and the checks that keep the data honest.

The JSON files under `consentkit/kb/data/` and `consentkit/kb/hosts.json` are validated here (see
SCHEMA.md for the format). Validation collects every problem with its place, so one run of
`pytest tests/test_kb.py` lists all mistakes in a data file rather than the first one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConsentKitError
from ..models import CATEGORIES

MATCHES = ("exact", "prefix", "regex")
KINDS = ("cookie", "localStorage", "sessionStorage", "indexedDB")
REQUIRED = ("name", "category", "provider", "purpose_en", "purpose_nb")
OPTIONAL = ("match", "kind", "domain", "lifetime", "doc_url")
HOST_REQUIRED = ("host", "provider", "category")

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class KbSchemaError(ConsentKitError):
    """A knowledge-base file or imported entry breaks the schema; the message lists each problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid knowledge-base data:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class KbRecord:
    """One validated entry: a name (exact, prefix or regex) and what it is for."""

    name: str
    category: str
    provider: str
    purpose_en: str
    purpose_nb: str
    match: str = "exact"
    kind: str = "cookie"
    domain: str | None = None
    lifetime: str = ""
    doc_url: str = ""
    source: str = "built-in"


@dataclass(frozen=True, slots=True)
class HostRecord:
    """A third-party host (matched with its subdomains) and the provider and category behind it."""

    host: str
    provider: str
    category: str


@functools.lru_cache(maxsize=4096)
def normalise_domain(domain: str | None) -> str | None:
    """Lower-case a cookie domain and strip the leading dot browsers and declarations add."""
    if not domain:
        return None
    domain = domain.strip().lower().lstrip(".").rstrip(".")
    return domain or None


def valid_domain(domain: str) -> bool:
    """A lower-case host name without a leading dot, as entries and the host table use."""
    return bool(_DOMAIN.match(domain))


def entry_problems(raw: Any, where: str, required: tuple[str, ...] = REQUIRED) -> list[str]:
    """Every way `raw` fails to be a valid entry, each message prefixed with `where`."""
    if not isinstance(raw, dict):
        return [f"{where}: an entry must be an object"]
    problems = [f"{where}: missing {key!r}" for key in required if not raw.get(key)]
    problems += [f"{where}: unknown field {key!r}" for key in raw
                 if key not in REQUIRED and key not in OPTIONAL and key != "source"]
    problems += [f"{where}: {key!r} must be a string" for key, value in raw.items()
                 if value is not None and not isinstance(value, str)]
    if problems:
        return problems
    match, kind = raw.get("match", "exact"), raw.get("kind", "cookie")
    if raw["category"] not in CATEGORIES:
        problems.append(f"{where}: category {raw['category']!r} is not one of {CATEGORIES}")
    if match not in MATCHES:
        problems.append(f"{where}: match {match!r} is not one of {MATCHES}")
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {KINDS}")
    if match == "regex":
        try:
            re.compile(raw["name"])
        except re.error as exc:
            problems.append(f"{where}: regex {raw['name']!r} does not compile: {exc}")
        if "(?P<" in raw["name"] or raw["name"].startswith("(?"):
            problems.append(f"{where}: regex must not use named groups or global flags "
                            "(the classifier compiles all patterns into one expression)")
    domain = raw.get("domain")
    if domain is not None and not _DOMAIN.match(domain):
        problems.append(f"{where}: domain {domain!r} must be a lower-case host without a dot first")
    doc_url = raw.get("doc_url") or ""
    if doc_url and not doc_url.startswith("https://"):
        problems.append(f"{where}: doc_url {doc_url!r} must be an https:// link")
    return problems


def record_from(raw: dict[str, Any], source: str = "built-in") -> KbRecord:
    """Build a record from an entry that passed `entry_problems`."""
    return KbRecord(
        name=raw["name"], category=raw["category"], provider=raw.get("provider") or "",
        purpose_en=raw.get("purpose_en") or "", purpose_nb=raw.get("purpose_nb") or "",
        match=raw.get("match") or "exact", kind=raw.get("kind") or "cookie",
        domain=normalise_domain(raw.get("domain")), lifetime=raw.get("lifetime") or "",
        doc_url=raw.get("doc_url") or "", source=raw.get("source") or source,
    )


def file_problems(data: Any, filename: str) -> list[str]:
    """Problems with a whole data file: `{"group": str, "entries": [entry, ...]}`."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return [f"{filename}: must be an object with an 'entries' list"]
    if not isinstance(data.get("group"), str) or not data["group"]:
        return [f"{filename}: needs a 'group' name"]
    problems: list[str] = []
    for index, raw in enumerate(data["entries"]):
        name = raw.get("name") if isinstance(raw, dict) else None
        problems += entry_problems(raw, f"{filename} entry {index} ({name})")
    return problems


def host_problems(raw: Any, where: str) -> list[str]:
    """Problems with one tracker-host row."""
    if not isinstance(raw, dict):
        return [f"{where}: a host must be an object"]
    problems = [f"{where}: missing {key!r}" for key in HOST_REQUIRED if not raw.get(key)]
    problems += [f"{where}: unknown field {key!r}" for key in raw if key not in HOST_REQUIRED]
    if problems:
        return problems
    if not _DOMAIN.match(raw["host"]):
        problems.append(f"{where}: host {raw['host']!r} must be a lower-case host name")
    if raw["category"] not in CATEGORIES:
        problems.append(f"{where}: category {raw['category']!r} is not one of {CATEGORIES}")
    return problems


def conflicts(records: list[KbRecord]) -> list[str]:
    """Entries that say different things about the same item (name, match, kind and domain)."""
    seen: dict[tuple[str, str, str, str | None], KbRecord] = {}
    problems = []
    for record in records:
        key = (record.name, record.match, record.kind, record.domain)
        other = seen.setdefault(key, record)
        if other is not record:
            verb = "conflicts with" if other.category != record.category else "duplicates"
            problems.append(f"{record.name!r} ({record.match}, {record.kind}, "
                            f"domain {record.domain}) from {record.source} {verb} {other.source}")
    return problems
