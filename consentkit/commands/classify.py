"""`consentkit classify NAME | --csv IN.csv` and `consentkit kb import FILE`.

Classification uses the built-in knowledge base, with the entries imported by `kb import` (when the
database is reachable) filling its gaps; every answer shows the rule and the reason behind it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

import click
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConsentKitError
from ..kb.classifier import Classification, Classifier, default_classifier
from ..kb.opencookiedb import import_open_cookie_db
from ..kb.schema import KINDS
from ..models import KbEntry
from .common import friendly_errors, print_json, session_scope

CSV_ADDED = ("category", "provider", "purpose", "confidence", "reason")


def _classifier(builtin_only: bool) -> Classifier:
    """The built-in KB with the imported layer below it; without a usable database, say so and go on."""
    classifier = default_classifier()
    if builtin_only:
        return classifier
    try:
        with session_scope() as session:
            rows = list(session.scalars(select(KbEntry)))
    except (SQLAlchemyError, ConsentKitError, click.ClickException) as exc:
        first = str(exc).strip().splitlines()[0]
        click.echo(f"warning: imported entries not used ({first}); run `consentkit db upgrade`, "
                   "or pass --builtin-only", err=True)
        return classifier
    return classifier.with_user_entries(rows) if rows else classifier


def _print_answer(name: str, result: Classification) -> None:
    provider = f" ({result.provider})" if result.provider else ""
    review = ", needs review" if result.needs_review else ""
    click.echo(f"{name}: {result.category}{provider}, confidence {result.confidence}{review}")
    click.echo(f"  rule: {result.rule}: {result.reason}")
    for label, value in (("purpose", result.purpose_en), ("formål", result.purpose_nb),
                         ("lifetime", result.lifetime), ("docs", result.doc_url)):
        if value:
            click.echo(f"  {label}: {value}")


def _classify_csv(classifier: Classifier, source: IO[str], target: IO[str]) -> int:
    """Copy rows from `source` to `target` with the classification columns added; returns the count."""
    reader = csv.DictReader(source)
    fields = list(reader.fieldnames or [])
    if "name" not in fields:
        raise click.ClickException(
            f"the CSV needs a header with a 'name' column (and optionally 'domain'); found {fields}")
    writer = csv.DictWriter(target, fieldnames=fields + [c for c in CSV_ADDED if c not in fields],
                            lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in reader:
        kind = row.get("kind") or "cookie"
        result = classifier.classify(
            (row.get("name") or "").strip(), domain=(row.get("domain") or "").strip() or None,
            setter=row.get("setter") or None, kind=kind if kind in KINDS else "cookie")
        writer.writerow({**row, "category": result.category, "provider": result.provider,
                         "purpose": result.purpose_en, "confidence": result.confidence,
                         "reason": result.reason})
        count += 1
    return count


@click.command()
@click.argument("name", required=False)
@click.option("--domain", help="Cookie domain, e.g. .doubleclick.net (a leading dot is ignored).")
@click.option("--setter", help="URL or host of the script or response that set the item.")
@click.option("--kind", type=click.Choice(KINDS), default="cookie", show_default=True,
              help="What kind of storage the item is.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--csv", "csv_in", type=click.File("r", encoding="utf-8-sig"),
              help="Classify every row of a CSV with columns name,domain (others are kept).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where --csv writes its result (default: standard output).")
@click.option("--builtin-only", is_flag=True,
              help="Use only the built-in knowledge base, not entries imported with `kb import`.")
@friendly_errors
def classify(name: str | None, domain: str | None, setter: str | None, kind: str, as_json: bool,
             csv_in: IO[str] | None, output: IO[str], builtin_only: bool) -> None:
    """Classify a cookie or storage item as necessary, functional, analytics or marketing.

    Prints the category, provider, purpose, confidence and the rule that decided. With --csv,
    classifies a whole file (columns name,domain) and adds the columns
    category,provider,purpose,confidence,reason.
    """
    if (name is None) == (csv_in is None):
        raise click.UsageError("give either a cookie NAME or --csv IN.csv")
    classifier = _classifier(builtin_only)
    if csv_in is not None:
        count = _classify_csv(classifier, csv_in, output)
        if getattr(output, "name", "<stdout>") not in ("<stdout>", "-"):
            click.echo(f"classified {count} row(s) into {output.name}", err=True)
        return
    result = classifier.classify(name, domain=domain, setter=setter, kind=kind)  # type: ignore[arg-type]
    if as_json:
        print_json({"name": name, "domain": domain, "kind": kind, **result.to_dict()})
    else:
        _print_answer(name, result)  # type: ignore[arg-type]


@click.group()
def kb() -> None:
    """The cookie knowledge base: import entries that fill the built-in one's gaps."""


@kb.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly_errors
def import_command(file: Path) -> None:
    """Import an Open Cookie Database CSV file into your own knowledge-base layer.

    Its entries answer only for names the built-in knowledge base does not know, and never make
    an item necessary: the database's Functional and Security become functional, flagged for
    review (use an override to declare an item necessary). Bad rows are reported with their line
    numbers and skipped; the good ones are stored together or not at all. Importing a file with
    the same name again replaces what it brought before.
    """
    with session_scope() as session:
        result = import_open_cookie_db(session, file)
    for error in result.errors:
        click.echo(f"{file.name}: {error}", err=True)
    replaced = f", replacing {result.replaced} from an earlier import" if result.replaced else ""
    skipped = f"; skipped {len(result.errors)} bad row(s)" if result.errors else ""
    click.echo(f"imported {result.imported} entries from {file.name}{replaced}{skipped}")

