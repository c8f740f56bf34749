"""`consentkit consents list|export|stats|purge`: the consent log from the shell.

The queries are `consentkit.consentlog.queries` (shared with the admin UI); these commands only parse options
and print.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, date, datetime, timedelta

import click
from rich.console import Console
from rich.table import Table

from ..consentlog import queries, receipts
from ..consentlog import records as log
from ..db import get_db
from ..models import OPTIONAL_CATEGORIES
from ..sites import registry as sites
from .common import friendly_errors, make_app, print_json, session_scope

AGE = re.compile(r"^\s*(\d+)\s*([ymd])\s*$")


def parse_age(text: str) -> tuple[int, str]:
    """`5y`, `18m`, `30d` → (5, "y") …; a ClickException-friendly ValueError otherwise."""
    match = AGE.match(text.lower())
    if not match or int(match.group(1)) == 0:
        raise click.BadParameter(f"{text!r}: use a number and y, m or d, such as 5y, 18m or 30d")
    return int(match.group(1)), match.group(2)


def cutoff_for(age: tuple[int, str], now: datetime) -> datetime:
    """The moment `age` before `now`, by the calendar for years and months (18m is 18 calendar months)."""
    count, unit = age
    if unit == "d":
        return now - timedelta(days=count)
    months = count * 12 if unit == "y" else count
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return now.replace(year=year, month=month, day=min(now.day, last_day))


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


site_option = click.option("--site", "site_key", required=True,
                           help="The site's key (`consentkit site list`).")
since_option = click.option("--since", callback=_date, help="First day (UTC), YYYY-MM-DD.")
until_option = click.option("--until", callback=_date, help="Last day (UTC), inclusive.")
method_option = click.option("--method", type=click.Choice(queries.METHODS), help="Only this method.")


@click.group()
def consents() -> None:
    """List, export, count and purge the consent log of a site."""


@consents.command("list")
@site_option
@since_option
@until_option
@method_option
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@friendly_errors
def list_(site_key: str, since: date | None, until: date | None, method: str | None, limit: int,
          as_json: bool) -> None:
    """Show the newest records, newest first."""
    filt = queries.LogFilter(since=since, until=until, method=method)
    with session_scope() as session:
        site = sites.get_site(session, site_key)
        rows = list(queries.export_rows(session, site, filt, limit=limit))
    if as_json:
        print_json(rows)
        return
    table = Table("time (UTC)", "consent id", "method", *OPTIONAL_CATEGORIES, "rev", "lang", "page")
    for row in rows:
        table.add_row(f"{row['created_at']:%Y-%m-%d %H:%M:%S}", row["consent_id"], row["method"],
                      *[_outcome(row[c]) for c in OPTIONAL_CATEGORIES], str(row["revision"]),
                      row["language"], row["page_url"])
    _console().print(table)


def _console() -> Console:
    """Rich's console; piped output gets a wide fixed width so IDs and URLs are not cut."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def _outcome(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


@consents.command("export")
@site_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: stdout).")
@since_option
@until_option
@method_option
@friendly_errors
def export(site_key: str, fmt: str, output: str | None, since: date | None, until: date | None,
           method: str | None) -> None:
    """Write the log as CSV or JSON, streamed: any number of records in constant memory."""
    writer = queries.csv_chunks if fmt == "csv" else queries.json_chunks
    filt = queries.LogFilter(since=since, until=until, method=method)
    with session_scope() as session:
        site = sites.get_site(session, site_key)
        out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
        try:
            for chunk in writer(queries.export_rows(session, site, filt)):
                out.write(chunk)
        finally:
            if output:
                out.close()
            else:
                out.flush()


@consents.command("stats")
@site_option
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3660),
              help="How many days back from today (UTC).")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def stats(site_key: str, days: int, as_json: bool) -> None:
    """Opt-in rate per category and records per method over the last days."""
    until = datetime.now(UTC).date()
    since = until - timedelta(days=days - 1)
    with session_scope() as session:
        result = queries.daily_stats(session, sites.get_site(session, site_key), since, until)
    totals = result.totals
    if as_json:
        print_json({"since": since, "until": until, "total": totals.total, "methods": totals.methods,
                    "categories": {c: {"asked": totals.asked.get(c, 0), "accepted": totals.accepted.get(c, 0),
                                       "rate": totals.rate(c)} for c in OPTIONAL_CATEGORIES}})
        return
    console = _console()
    console.print(f"{totals.total:,} records from {since} to {until} (UTC)")
    cats = Table("category", "asked", "accepted", "opt-in rate", title="Per category")
    for cat in OPTIONAL_CATEGORIES:
        rate = totals.rate(cat)
        cats.add_row(cat, f"{totals.asked.get(cat, 0):,}", f"{totals.accepted.get(cat, 0):,}",
                     "-" if rate is None else f"{rate:.1%}")
    methods = Table("method", "records", "share", title="Per method")
    for method in queries.METHODS:
        count = totals.methods.get(method, 0)
        methods.add_row(method, f"{count:,}", f"{count / totals.total:.1%}" if totals.total else "-")
    console.print(cats)
    console.print(methods)


@consents.command("purge")
@site_option
@click.option("--older-than", "older_than", required=True, help="Age such as 5y, 18m or 30d.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (never asked without a terminal).")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def purge(site_key: str, older_than: str, yes: bool, as_json: bool) -> None:
    """Delete records older than an age the site's retention no longer requires."""
    cutoff = cutoff_for(parse_age(older_than), datetime.now(UTC).replace(tzinfo=None))
    if not yes and not as_json and sys.stdin.isatty():
        click.confirm(f"Delete every record of {site_key} created before {cutoff:%Y-%m-%d %H:%M} UTC?",
                      abort=True)
    with session_scope() as session:
        deleted = log.purge_older_than(session, sites.get_site(session, site_key), cutoff)
    if as_json:
        click.echo(json.dumps({"deleted": deleted, "cutoff": cutoff.isoformat() + "Z"}))
    else:
        click.echo(f"Deleted {deleted:,} records created before {cutoff:%Y-%m-%d %H:%M} UTC.")


@consents.command("verify-receipt")
@click.argument("receipt")
@click.option("--keys", "keys_file", type=click.Path(exists=True, dir_okay=False),
              help="The site's key set (the JSON of /v1/sites/KEY/receipt-key): check offline, "
                   "without this server's database.")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def verify_receipt(receipt: str, keys_file: str | None, as_json: bool) -> None:
    """Check a consent receipt's signature and show the record it proves.

    RECEIPT is the string from the consent cookie (its `x`), the API's answer or the declaration
    page, or - to read it from standard input. With --keys nothing but that file is used; without
    it the site's keys come from this server's database, and the receipt is compared with the log.
    Exit code 1 when the receipt is not valid.
    """
    text = (sys.stdin.read() if receipt == "-" else receipt).strip()
    try:
        claims, log_state = _verified(text, keys_file)
    except receipts.InvalidReceipt as exc:
        raise click.ClickException(f"not a valid receipt: {exc}") from exc
    status, differences = log_state
    if as_json:
        print_json({"valid": True, "claims": claims.payload(), "log": status, "differences": differences})
    else:
        click.echo(f"valid receipt of site {claims.site}, signed by its key")
        click.echo(f"  consent ID {claims.consent_id}, record #{claims.seq}, recorded {claims.recorded_at}")
        click.echo(f"  method {claims.method}; choices {json.dumps(claims.choices)}; "
                   f"language {claims.language}; GPC {'on' if claims.gpc else 'off'}")
        click.echo(f"  shown revision {claims.revision} (content hash {claims.revision_hash})")
        click.echo("  " + _LOG_STATES[status].format(", ".join(differences)))
    if status == "differs":
        raise SystemExit(1)


_LOG_STATES = {"match": "the consent log holds exactly this record",
               "absent": "the consent log no longer holds this record (purged by retention?)",
               "differs": "WARNING: the consent log's record differs from the receipt in: {}",
               "offline": "checked offline against the given key set; the log was not consulted"}


def _verified(text: str, keys_file: str | None) -> tuple[receipts.Claims, tuple[str, list[str]]]:
    """The receipt's claims, and what the log says of them (not consulted with --keys)."""
    if keys_file:
        with open(keys_file, encoding="utf-8") as handle:
            try:
                keys = receipts.keys_from_jwks(json.load(handle))
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"{keys_file} is not JSON: {exc}") from exc
        return receipts.verify_with(text, keys), ("offline", [])
    _header, payload, _input, _signature = receipts.split(text)
    site_key = payload.get("site") if isinstance(payload, dict) else None
    with session_scope() as session:
        site = sites.get_site(session, str(site_key))
        claims = get_db(make_app()).receipt_keys.verify(site.id, site.key, text)
        return claims, log.compare_with_log(session, site.id, claims)
