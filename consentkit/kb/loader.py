"""Read the built-in knowledge base shipped in the package, and turn imported rows into records.

The data is one JSON file per vendor under `data/` (see SCHEMA.md), holding that vendor's cookie
and storage entries beside its tracker hosts. It is package data (hatchling ships everything under
`consentkit/`), read with importlib.resources so it works from a wheel, a zip or a checkout alike.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from .legal import VendorLegal, legal_from
from .schema import (
    HostRecord,
    KbRecord,
    KbSchemaError,
    conflicts,
    entry_problems,
    file_problems,
    record_from,
)

ROW_FIELDS = ("name", "match", "domain", "kind", "category", "provider", "purpose_nb",
              "purpose_en", "lifetime", "source")


def _package_dir() -> Traversable:
    return resources.files("consentkit.kb")


def data_files(folder: Traversable | None = None) -> list[Traversable]:
    """The vendor files, sorted by name so the load order (and any error message) is stable."""
    folder = folder or _package_dir() / "data"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)


def read_json(file: Traversable) -> Any:
    with file.open("r", encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class BuiltinKb:
    """The validated built-in knowledge base: every vendor's entries and tracker hosts."""

    entries: tuple[KbRecord, ...]
    hosts: tuple[HostRecord, ...]
    # Per provider name (of every entry and host of a vendor file that has `legal`), who it is in law.
    legal: dict[str, VendorLegal] = field(default_factory=dict)


@functools.cache
def load_kb() -> BuiltinKb:
    """The shipped knowledge base, read and validated once per process."""
    return load_folder(_package_dir() / "data")


def load_folder(folder: Traversable) -> BuiltinKb:
    """Read and validate every vendor file in `folder`; raises KbSchemaError listing all problems."""
    problems: list[str] = []
    records: list[KbRecord] = []
    hosts: dict[str, HostRecord] = {}
    legal: dict[str, VendorLegal] = {}
    for file in data_files(folder):
        data = read_json(file)
        found = file_problems(data, file.name)
        problems += found
        if found:
            continue
        source, generic = f"built-in {file.name}", data.get("generic", False)
        records += [record_from(raw, source=source, generic=generic) for raw in data["entries"]]
        for raw in data.get("hosts", []):
            host = HostRecord(raw["host"], raw.get("provider") or data["vendor"], raw["category"],
                              raw.get("doc_url") or "")
            if host.host in hosts:
                problems.append(f"{file.name}: host {host.host!r} is already listed by "
                                f"{hosts[host.host].provider}")
            hosts.setdefault(host.host, host)
        if "legal" in data:
            _add_legal(legal, legal_from(data["vendor"], data["legal"]), data)
    problems += conflicts(records)
    if problems:
        raise KbSchemaError(problems)
    return BuiltinKb(tuple(records), tuple(hosts.values()), legal)


def _add_legal(legal: dict[str, VendorLegal], record: VendorLegal, data: dict[str, Any]) -> None:
    """Index a vendor's legal facts under every provider name its entries and hosts use."""
    names = {data["vendor"]} | {raw.get("provider") or "" for raw in data["entries"]}
    names |= {raw.get("provider") or data["vendor"] for raw in data.get("hosts", [])}
    for name in sorted(names - {""}):
        legal.setdefault(name, record)


def load_builtin() -> tuple[KbRecord, ...]:
    """Every built-in entry, validated."""
    return load_kb().entries


def load_hosts() -> tuple[HostRecord, ...]:
    """The tracker-host table: the hosts listed in every vendor file; a host is listed once."""
    return load_kb().hosts


def row_to_dict(row: Any) -> dict[str, Any]:
    """A KbEntry row, or any object or mapping with the same fields, as a plain dict."""
    get = row.get if isinstance(row, dict) else (lambda key: getattr(row, key, None))
    return {key: get(key) for key in ROW_FIELDS if get(key) not in (None, "")}


def records_from_rows(rows: Iterable[Any]) -> tuple[KbRecord, ...]:
    """Validate imported entries (KbEntry rows or dicts) into records for the user layer.

    Imported rows may leave purposes empty (the Open Cookie Database has only English text), so
    only name and category are required here.
    """
    problems: list[str] = []
    records: list[KbRecord] = []
    for index, row in enumerate(rows):
        raw = row_to_dict(row)
        source = raw.pop("source", "") or "imported"
        found = entry_problems(raw, f"imported entry {index} ({raw.get('name')})",
                               required=("name", "category"))
        problems += found
        if not found:
            records.append(record_from(raw, source=source))
    if problems:
        raise KbSchemaError(problems)
    return tuple(records)
