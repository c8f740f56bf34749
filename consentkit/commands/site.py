"""`consentkit site add|list|show|edit`."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from .. import public_url, snippet
from ..scans import notify
from ..sites import registry as sites
from .common import friendly_errors, make_app, print_json, session_scope


def _snippet() -> tuple[str, str | None]:
    """The base URL for snippets, and a warning when it is only the default."""
    app = make_app()
    if public_url.configured(app):
        return public_url.for_snippets(app), None
    return public_url.for_snippets(app), (
        f"CONSENTKIT_PUBLIC_URL is not set, so the snippet uses {public_url.DEFAULT}; use the "
        "address visitors reach the server at (the banner itself posts back to wherever it was "
        "loaded from)")


def _settings_options(func):
    """The editable settings as options shared by `add` and `edit`."""
    options = [
        click.option("--lang", "default_language", type=click.Choice(sites.LANGUAGES),
                     help="Default banner language."),
        click.option("--languages", help="Comma-separated banner languages (nb,nn,en)."),
        click.option("--categories", help="Comma-separated optional categories asked for."),
        click.option("--allow-subdomains/--no-allow-subdomains", default=None),
        click.option("--privacy-policy-url"),
        click.option("--consent-mode/--no-consent-mode", default=None,
                     help="Google Consent Mode v2 signals."),
        click.option("--gpc-policy", type=click.Choice(sites.GPC_POLICIES)),
        click.option("--cookie-name"),
        click.option("--cookie-domain"),
        click.option("--consent-lifetime-days", type=int),
        click.option("--retention-days", type=int),
        click.option("--ip-mode", type=click.Choice(sites.IP_MODES)),
        click.option("--texts", "texts_json", help='Text overrides as JSON: {"nb": {"title": "…"}}'),
        click.option("--rescan", type=click.Choice(sites.RESCANS),
                     help="Rescan every origin weekly or monthly (a `consentkit worker` runs them)."),
        click.option("--notify-email", "notify_emails", metavar="ADDRESSES",
                     help="E-mail these addresses (comma-separated; '' for none) when a scan finds "
                          "something new or a violation."),
        click.option("--webhook-url", help="POST what a scan found new to this URL, signed "
                                           "(HMAC-SHA256); '' for none."),
        click.option("--controller-name", help="Who is responsible for the processing (GDPR art. 13), "
                     "shown in the declaration; '' clears it."),
        click.option("--controller-org-number", help="The controller's organisation number "
                     "(a Norwegian one is checked)."),
        click.option("--controller-address", help="The controller's postal address."),
        click.option("--controller-email", help="Where visitors send questions about privacy."),
        click.option("--declaration-intro", "intros", nargs=2, multiple=True, metavar="LANG TEXT",
                     help="The declaration's intro in LANG instead of ours ('' restores ours); "
                     "may use {site}, {controller}, {email} … (repeatable)."),
        click.option("--declaration-closing", "closings", nargs=2, multiple=True, metavar="LANG TEXT",
                     help="A closing paragraph for the declaration in LANG (repeatable)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def declaration_texts(current: dict[str, Any], intros: tuple[tuple[str, str], ...],
                      closings: tuple[tuple[str, str], ...]) -> dict[str, Any] | None:
    """The site's declaration texts with the given intros and closings set (None: none given)."""
    if not intros and not closings:
        return None
    merged = {lang: dict(parts) for lang, parts in (current or {}).items()}
    for part, given in (("intro", intros), ("closing", closings)):
        for lang, text in given:
            merged.setdefault(lang, {})[part] = text
    return merged


def _collect(languages: str | None, categories: str | None, texts_json: str | None,
             intros: tuple[tuple[str, str], ...] = (), closings: tuple[tuple[str, str], ...] = (),
             **rest: Any) -> dict[str, Any]:
    settings = {k: v for k, v in rest.items() if v is not None}
    texts = declaration_texts({}, intros, closings)
    if texts is not None:
        settings["declaration_texts"] = texts
    if languages:
        settings["languages"] = languages.split(",")
    if categories is not None:
        settings["categories"] = [c for c in categories.split(",") if c]
    if texts_json:
        try:
            settings["texts"] = json.loads(texts_json)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--texts") from exc
    return settings


@click.group()
def site() -> None:
    """Add, list, show and edit the sites that use the banner."""


@site.command("add")
@click.option("--name", required=True, help="Name of the site.")
@click.option("--origin", "origins", multiple=True,
              help="Allowed origin, e.g. https://www.example.no (repeatable).")
@_settings_options
@click.option("--json", "as_json", is_flag=True, help="Print the new site as JSON.")
@friendly_errors
def add(name: str, origins: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Create a site and print its key and the <script> tag to paste into <head>."""
    settings = _collect(**options)
    if not origins:
        raise click.UsageError("give at least one --origin https://…")
    with session_scope() as session:
        new = sites.create_site(session, name=name, origins=list(origins), **settings)
        secret = _webhook_secret(new, False)
        data = sites.site_as_dict(new)
        base, warning = _snippet()
        embed = snippet.for_site(base, new)
    if secret:
        click.echo(f"webhook secret (verify the ConsentKit-Signature header with it): {secret}", err=True)
    if as_json:
        print_json({**data, "embed": embed, "csp_script_hash": snippet.csp_hash()})
        return
    click.echo(f"Created site {data['name']!r} with key {data['key']}")
    click.echo("Paste this into the <head> of every page, first, before other scripts")
    click.echo(f"(a strict CSP allows the inline part with script-src {snippet.csp_hash()}):")
    click.echo(embed)
    if warning:
        click.echo(f"Note: {warning}.", err=True)


@site.command("list")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def list_(as_json: bool) -> None:
    """List sites."""
    with session_scope() as session:
        rows = [sites.site_as_dict(s) for s in sites.list_sites(session)]
    if as_json:
        print_json(rows)
        return
    table = Table("key", "name", "origins", "revision", "languages")
    for row in rows:
        table.add_row(row["key"], row["name"], " ".join(row["origins"]), str(row["revision"]),
                      ",".join(row["languages"]))
    Console().print(table)


@site.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def show(key: str, as_json: bool) -> None:
    """Show every setting of a site and its embed snippet."""
    with session_scope() as session:
        found = sites.get_site(session, key)
        data = sites.site_as_dict(found)
        data["embed"] = snippet.for_site(_snippet()[0], found)
    data["csp_script_hash"] = snippet.csp_hash()
    if as_json:
        print_json(data)
        return
    for name, value in data.items():
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
        click.echo(f"{name:>22}: {shown}")


@site.command("edit")
@click.argument("key")
@click.option("--name")
@click.option("--add-origin", "add_origins", multiple=True,
              help="Also allow this origin (repeatable); the others stay.")
@click.option("--remove-origin", "remove_origins", multiple=True,
              help="Stop allowing this origin (repeatable); asks first if none would be left.")
@_settings_options
@click.option("--rotate-webhook-secret", is_flag=True,
              help="Make a new secret for the webhook's signature and print it (the old one stops).")
@click.option("--yes", is_flag=True, help="Do not ask before removing the last origin.")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def edit(key: str, name: str | None, add_origins: tuple[str, ...], remove_origins: tuple[str, ...],
         rotate_webhook_secret: bool, yes: bool, as_json: bool, **options: Any) -> None:
    """Change settings of a site; the revision rises if visitors must be asked again."""
    settings = _collect(**options)
    if name is not None:
        settings["name"] = name
    if not settings and not add_origins and not remove_origins and not rotate_webhook_secret:
        raise click.UsageError("nothing to change: give at least one option")
    with session_scope() as session:
        target = sites.get_site(session, key)
        if "declaration_texts" in settings:
            settings["declaration_texts"] = declaration_texts(
                target.declaration_texts, options["intros"], options["closings"])
        added = sites.add_origins(target, add_origins)
        removed = _remove_origins(target, remove_origins, yes)
        bumped = sites.edit_site(session, target, **settings)
        secret = _webhook_secret(target, rotate_webhook_secret)
        data = sites.site_as_dict(target)
    if secret:
        click.echo(f"webhook secret (verify the ConsentKit-Signature header with it): {secret}", err=True)
    if as_json:
        print_json(data)
        return
    note = f" (revision now {data['revision']}: visitors will be asked again)" if bumped else ""
    click.echo(f"Updated site {key}{note}")
    for verb, origins in (("allowed", added), ("no longer allowed", removed)):
        for origin in origins:
            click.echo(f"  {verb}: {origin}")


def _webhook_secret(target: Any, rotate: bool) -> str | None:
    """A secret for a webhook that has none yet (or a new one on request), to print once here;
    the admin shows it on the site's page."""
    if rotate or (target.webhook_url and not target.webhook_key_id):
        notify.rotate_webhook_secret(target)
        return notify.webhook_secret(make_app().config["SECRET_KEY"], target)
    return None


def _remove_origins(target: Any, origins: tuple[str, ...], yes: bool) -> list[str]:
    """Remove origins, asking before the last one goes (unless --yes)."""
    try:
        return sites.remove_origins(target, origins)
    except sites.LastOrigin as exc:
        if not yes and not click.confirm(f"Warning: {exc}. Remove anyway?", default=False, err=True):
            raise click.ClickException("nothing changed") from None
    return sites.remove_origins(target, origins, allow_none_left=True)


@site.command("api-key")
@click.argument("key")
@click.option("--rotate", is_flag=True, help="Make a new key (the old one stops working) and print it.")
@click.option("--revoke", is_flag=True, help="Remove the key: requests without an Origin are refused.")
@friendly_errors
def api_key(key: str, rotate: bool, revoke: bool) -> None:
    """The API key a server sends (Authorization: Bearer …) to post consents without an Origin.

    Browsers are recognised by their Origin; anything else must show this key. Only its hash is
    stored, so the key is printed once, by --rotate.
    """
    if rotate and revoke:
        raise click.UsageError("give --rotate or --revoke, not both")
    with session_scope() as session:
        target = sites.get_site(session, key)
        if rotate:
            new = sites.rotate_api_key(target)
        elif revoke:
            sites.revoke_api_key(target)
        created = target.api_key_created_at
    if rotate:
        click.echo(new)
        click.echo("Keep it secret; it is shown only now. Send it as `Authorization: Bearer …`.",
                   err=True)
    elif revoke:
        click.echo(f"Revoked the API key of site {key}.")
    elif created:
        click.echo(f"Site {key} has an API key, made {created.isoformat(timespec='seconds')}Z; "
                   "`--rotate` replaces it.")
    else:
        click.echo(f"Site {key} has no API key; `--rotate` makes one.")
