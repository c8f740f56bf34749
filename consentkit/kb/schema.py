"""The shape of a knowledge-base entry and a tracker host, and the checks that keep the data honest.

The vendor files under `consentkit/kb/data/` are validated here (see SCHEMA.md for the format).
Validation collects every problem with its place, so one run of `pytest tests/test_kb.py` lists
all mistakes in a data file rather than the first one.

One rule is about trust rather than shape: a built-in entry may say `necessary` only when it
cites the vendor's documentation (`doc_url`). Storage without consent must be justifiable, and
"we think so" is no justification.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConsentKitError
from ..models import CATEGORIES
from .legal import legal_problems

MATCHES = ("exact", "prefix", "regex")
KINDS = ("cookie", "localStorage", "sessionStorage", "indexedDB")
REQUIRED = ("name", "category", "provider", "purpose_en", "purpose_nb")
OPTIONAL = ("match", "kind", "domain", "lifetime", "doc_url", "purpose_nn")
HOST_REQUIRED = ("host", "category")
HOST_OPTIONAL = ("provider", "doc_url")
FILE_FIELDS = ("vendor", "generic", "hosts", "entries", "legal")

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
    # Set by software any server may run (a framework, a load balancer): on a known tracker host
    # the host's category beats the name (JSESSIONID served by an analytics host is analytics).
    generic: bool = False
    purpose_nn: str = ""


@dataclass(frozen=True, slots=True)
class HostRecord:
    """A third-party host (matched with its subdomains) and the provider and category behind it."""

    host: str
    provider: str
    category: str
    doc_url: str = ""


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
    problems += _doc_url_problems(raw.get("doc_url"), where)
    return problems


def _doc_url_problems(doc_url: Any, where: str) -> list[str]:
    if doc_url and not str(doc_url).startswith("https://"):
        return [f"{where}: doc_url {doc_url!r} must be an https:// link"]
    return []


def builtin_entry_problems(raw: Any, where: str) -> list[str]:
    """`entry_problems` plus the trust rule for shipped data: necessary needs a cited source."""
    problems = entry_problems(raw, where)
    if not problems and raw["category"] == "necessary" and not raw.get("doc_url"):
        problems.append(f"{where}: category 'necessary' needs a doc_url: cite the vendor's own "
                        "documentation, or choose the category a consent is asked for")
    return problems


def record_from(raw: dict[str, Any], source: str = "built-in", generic: bool = False) -> KbRecord:
    """Build a record from an entry that passed `entry_problems`."""
    return KbRecord(
        name=raw["name"], category=raw["category"], provider=raw.get("provider") or "",
        purpose_en=raw.get("purpose_en") or "", purpose_nb=raw.get("purpose_nb") or "",
        match=raw.get("match") or "exact", kind=raw.get("kind") or "cookie",
        domain=normalise_domain(raw.get("domain")), lifetime=raw.get("lifetime") or "",
        doc_url=raw.get("doc_url") or "", source=raw.get("source") or source, generic=generic,
        purpose_nn=raw.get("purpose_nn") or "",
    )


def file_problems(data: Any, filename: str) -> list[str]:
    """Problems with a vendor file: `{"vendor": str, "hosts": [...], "entries": [...]}`."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return [f"{filename}: must be an object with an 'entries' list"]
    if not isinstance(data.get("vendor"), str) or not data["vendor"]:
        return [f"{filename}: needs a 'vendor' name"]
    problems = [f"{filename}: unknown field {key!r}" for key in data if key not in FILE_FIELDS]
    if not isinstance(data.get("generic", False), bool):
        problems.append(f"{filename}: 'generic' must be true or false")
    if "legal" in data:
        problems += legal_problems(data["legal"], filename)
    if not isinstance(data.get("hosts", []), list):
        problems.append(f"{filename}: 'hosts' must be a list")
        return problems
    for index, raw in enumerate(data.get("hosts", [])):
        host = raw.get("host") if isinstance(raw, dict) else None
        problems += host_problems(raw, f"{filename} host {index} ({host})")
    for index, raw in enumerate(data["entries"]):
        name = raw.get("name") if isinstance(raw, dict) else None
        problems += builtin_entry_problems(raw, f"{filename} entry {index} ({name})")
    return problems


def host_problems(raw: Any, where: str) -> list[str]:
    """Problems with one tracker-host row."""
    if not isinstance(raw, dict):
        return [f"{where}: a host must be an object"]
    problems = [f"{where}: missing {key!r}" for key in HOST_REQUIRED if not raw.get(key)]
    problems += [f"{where}: unknown field {key!r}" for key in raw
                 if key not in HOST_REQUIRED and key not in HOST_OPTIONAL]
    if problems:
        return problems
    if not _DOMAIN.match(raw["host"]):
        problems.append(f"{where}: host {raw['host']!r} must be a lower-case host name")
    if raw["category"] not in CATEGORIES:
        problems.append(f"{where}: category {raw['category']!r} is not one of {CATEGORIES}")
    return problems + _doc_url_problems(raw.get("doc_url"), where)


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
