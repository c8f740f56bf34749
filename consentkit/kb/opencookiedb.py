"""Import the Open Cookie Database CSV format into the owner's knowledge-base layer (`kb_entries`).

The format (https://github.com/jkwakman/Open-Cookie-Database) has the columns ID, Platform,
Category, Cookie / Data Key name, Domain, Description, Retention period, Data Controller,
User Privacy & GDPR Rights Portals and Wildcard match ("1": the name is a prefix).

Its category words differ from ours, and one of them cannot be trusted as they stand: its
"Functional" mixes strictly necessary cookies with trackers (consent-manager state, but also
analytics and ad cookies their vendors call "functional"), and "Security" holds bot-detection
cookies that also fingerprint. So nothing imported becomes necessary: "Functional", "Security"
and "Personalization" are stored as our functional (asked for, and flagged for review by the
classifier), "Analytics" and "Marketing" as themselves. An imported entry never overrides a
built-in one, and a known tracker host beats an imported "Functional" (see consentkit.kb.classifier).

Bad rows are reported with their line numbers and skipped; the good rows go in one transaction,
replacing what an earlier import of a file with the same name brought, so re-importing is safe.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..errors import ConsentKitError
from ..models import KbEntry
from .schema import normalise_domain, valid_domain

COLUMNS = ("ID", "Platform", "Category", "Cookie / Data Key name", "Domain", "Description",
           "Retention period", "Data Controller", "User Privacy & GDPR Rights Portals",
           "Wildcard match")
REQUIRED_COLUMNS = ("Category", "Cookie / Data Key name")
CATEGORY_MAP = {"functional": "functional", "security": "functional", "necessary": "functional",
                "personalization": "functional", "preferences": "functional",
                "analytics": "analytics", "marketing": "marketing"}
WILDCARD = {"": "exact", "0": "exact", "1": "prefix"}


class KbImportError(ConsentKitError):
    """A knowledge-base file cannot be imported at all (unreadable, wrong columns, no valid row)."""


@dataclass(frozen=True)
class RowError:
    """A skipped row: its line in the file and what is wrong with it."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    """What an import did: rows stored, rows an earlier import of the same file had, rows skipped."""

    source: str
    imported: int = 0
    replaced: int = 0
    errors: list[RowError] = field(default_factory=list)


def _entry(row: dict[str, str | None], source: str) -> KbEntry:
    """A KbEntry for a row; raises ValueError with the reason when the row is not usable."""
    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    name = cell("Cookie / Data Key name")
    if not name:
        raise ValueError("empty 'Cookie / Data Key name'")
    if len(name) > 255:
        raise ValueError(f"name longer than 255 characters ({name[:40]}…)")
    category = CATEGORY_MAP.get(cell("Category").lower())
    if category is None:
        raise ValueError(f"unknown Category {cell('Category')!r} "
                         f"(expected one of {', '.join(sorted({k.title() for k in CATEGORY_MAP}))})")
    match = WILDCARD.get(cell("Wildcard match"))
    if match is None:
        raise ValueError(f"Wildcard match must be 0, 1 or empty, not {cell('Wildcard match')!r}")
    # The Domain column is often prose ("advertiser's website domain (1st party)"): keep a host only.
    first_word = (cell("Domain").split() or [""])[0]
    domain = normalise_domain(first_word)
    platform, controller = cell("Platform"), cell("Data Controller")
    return KbEntry(
        name=name, match=match, domain=domain if domain and valid_domain(domain) else None,
        kind="cookie", category=category, provider=(platform or controller)[:200],
        purpose_nb="", purpose_en=cell("Description"), lifetime=cell("Retention period")[:64],
        source=source[:255],
    )


def parse(path: Path, source: str) -> tuple[list[KbEntry], list[RowError]]:
    """The usable entries of a file, and the rows skipped with their line numbers."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise KbImportError(
                    f"{path.name} is not an Open Cookie Database CSV: missing column(s) "
                    f"{', '.join(missing)}; expected the header {','.join(COLUMNS)}")
            return _rows(reader, source)
    except UnicodeDecodeError as exc:
        raise KbImportError(f"{path.name} is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    except csv.Error as exc:
        raise KbImportError(f"{path.name} is not valid CSV: {exc}") from exc


def _rows(reader: csv.DictReader, source: str) -> tuple[list[KbEntry], list[RowError]]:
    entries: list[KbEntry] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str, str | None], tuple[int, str]] = {}
    end = reader.line_num
    for row in reader:
        line, end = end + 1, reader.line_num
        if None in row:
            errors.append(RowError(line, f"{len(row[None])} more cell(s) than the header has"))
            continue
        try:
            entry = _entry(row, source)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            continue
        key = (entry.name, entry.match, entry.domain)
        if key in seen:
            first_line, category = seen[key]
            how = "repeats" if category == entry.category else "conflicts with"
            errors.append(RowError(line, f"{entry.name!r} {how} line {first_line}"))
            continue
        seen[key] = (line, entry.category)
        entries.append(entry)
    return entries, errors


def import_open_cookie_db(session: Session, path: Path | str) -> ImportResult:
    """Import a file into `kb_entries` in the caller's transaction; see the module docstring.

    Raises KbImportError, writing nothing, when the file has no usable row.
    """
    path = Path(path)
    source = f"Open Cookie Database file {path.name}"
    entries, errors = parse(path, source)
    if not entries:
        detail = f"; first problem: {errors[0]}" if errors else " (the file has no rows)"
        raise KbImportError(f"nothing imported from {path.name}: no valid row{detail}")
    replaced = session.execute(delete(KbEntry).where(KbEntry.source == source)).rowcount or 0
    session.add_all(entries)
    session.flush()
    return ImportResult(source=source, imported=len(entries), replaced=replaced, errors=errors)
