"""`consentkit declaration`: the cookie declaration (or the privacy-policy section) as a file."""

from __future__ import annotations

from pathlib import Path

import click

from .. import public_url
from ..declaration import policy, render
from ..declaration.content import load_declaration
from ..declaration.localized import localize
from ..declaration.review import WARNING, review
from ..declaration.texts import LANGUAGES
from ..sites import registry as sites
from .common import friendly_errors, make_app, session_scope

FORMATS = ("html", "md", "json")


@click.command("declaration")
@click.option("--site", "key", required=True, help="Site key (see `consentkit site list`).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language; the site's default language when left out.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="html is a fragment to paste into a page; md is Markdown with tables.")
@click.option("--policy", "as_policy", is_flag=True,
              help="Write the ready-made cookie section for the privacy policy instead (md or html).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file instead of standard output.")
@friendly_errors
def declaration(key: str, lang: str | None, fmt: str, as_policy: bool, output: Path | None) -> None:
    """Write the cookie declaration generated from the site's latest scan and overrides.

    Paste it into your CMS, or link to the hosted page /v1/sites/KEY/declaration?lang=nb, which
    stays current by itself. Warnings (violations in the latest scan, no controller named) and
    notes go to standard error.
    """
    if as_policy and fmt == "json":
        raise click.UsageError("--policy writes md or html, not json")
    base = public_url.for_snippets(make_app())
    with session_scope() as session:
        site = sites.get_site(session, key)
        language = lang or site.default_language
        decl = load_declaration(session, site)
        view = localize(decl, language, public_url.declaration_url(base, key, language))
        text = _render(view, fmt, as_policy)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
    for notice in review(decl):
        click.echo(f"{'Warning' if notice.level == WARNING else 'Note'}: {notice.text}", err=True)


def _render(view: dict, fmt: str, as_policy: bool) -> str:
    """Runs inside the app context: the HTML outputs are Jinja templates."""
    if as_policy:
        return policy.policy_markdown(view) if fmt == "md" else policy.policy_html(view) + "\n"
    if fmt == "md":
        return render.markdown(view)
    if fmt == "json":
        return render.json_text(view)
    return render.html_fragment(view, heading_level=2) + "\n"
