"""Read the built-in knowledge base shipped in the package, and turn imported rows into records.

The data is package data (hatchling ships everything under `consentkit/`), read with
importlib.resources so it works from a wheel, a zip or a source checkout alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from .schema import (
    HostRecord,
    KbRecord,
    KbSchemaError,
    conflicts,
    entry_problems,
    file_problems,
    host_problems,
    record_from,
)

ROW_FIELDS = ("name", "match", "domain", "kind", "category", "provider", "purpose_nb",
              "purpose_en", "lifetime", "source")


def _package_dir() -> Traversable:
    return resources.files("consentkit.kb")


def data_files() -> list[Traversable]:
    """The entry files, sorted by name so the load order (and any error message) is stable."""
    folder = _package_dir() / "data"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)


def read_json(file: Traversable) -> Any:
    with file.open("r", encoding="utf-8") as handle:
        return json.load(handle)


def load_builtin() -> tuple[KbRecord, ...]:
    """Every built-in entry, validated; raises KbSchemaError listing all problems found."""
    problems: list[str] = []
    records: list[KbRecord] = []
    for file in data_files():
        data = read_json(file)
        found = file_problems(data, file.name)
        problems += found
        if not found:
            records += [record_from(raw, source=f"built-in {file.name}") for raw in data["entries"]]
    problems += conflicts(records)
    if problems:
        raise KbSchemaError(problems)
    return tuple(records)


def load_hosts() -> tuple[HostRecord, ...]:
    """The tracker-host table, validated; a host listed twice is an error."""
    data = read_json(_package_dir() / "hosts.json")
    rows = data.get("hosts") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise KbSchemaError(["hosts.json: must be an object with a 'hosts' list"])
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(rows):
        problems += host_problems(raw, f"hosts.json entry {index}")
        host = raw.get("host") if isinstance(raw, dict) else None
        if host in seen:
            problems.append(f"hosts.json entry {index}: {host!r} is listed twice")
        seen.add(host)
    if problems:
        raise KbSchemaError(problems)
    return tuple(HostRecord(row["host"], row["provider"], row["category"]) for row in rows)


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
