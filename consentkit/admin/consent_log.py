"""The consent log: filtered keyset pages, one consent ID's history, and streamed exports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, render_template, request, stream_with_context, url_for

from ..consentlog import queries
from ..db import get_db, get_session
from ..models import OPTIONAL_CATEGORIES, Site
from .blueprint import bp
from .forms import LogFilterForm
from .sites import load_site

OUTCOME_VALUES = {"yes": True, "no": False, "unasked": None}


def filter_from_request() -> tuple[LogFilterForm, queries.LogFilter]:
    """The filter form bound to the query string, and the filter it describes (invalid parts ignored)."""
    form = LogFilterForm(request.args)
    form.validate()
    value = {name: (getattr(form, name).data if not getattr(form, name).errors else None)
             for name in ("since", "until", "method", "language", "consent_id")}
    outcomes = {cat: OUTCOME_VALUES[getattr(form, cat).data] for cat in OPTIONAL_CATEGORIES
                if getattr(form, cat).data in OUTCOME_VALUES}
    value = {k: v or None for k, v in value.items()}
    return form, queries.LogFilter(outcomes=outcomes, **value)


def _filter_args() -> dict[str, Any]:
    """The query-string filters without the page position, to build links that keep them."""
    return {k: v for k, v in request.args.items() if k not in ("after", "before") and v}


@bp.get("/sites/<key>/consents")
def consent_log(key: str):
    site = load_site(key)
    form, filt = filter_from_request()
    try:
        after = queries.Cursor.decode(request.args["after"]) if request.args.get("after") else None
        before = queries.Cursor.decode(request.args["before"]) if request.args.get("before") else None
    except queries.InvalidFilter as exc:
        abort(400, description=str(exc))
    page = queries.log_page(get_session(), site, filt, after=after, before=before)
    return render_template("admin/consent_log.html", site=site, form=form, page=page,
                           args=_filter_args(), categories=OPTIONAL_CATEGORIES)


@bp.get("/sites/<key>/consents/<path:consent_id>")
def consent_record(key: str, consent_id: str):
    site = load_site(key)
    db = get_session()
    history = queries.consent_history(db, site.id, consent_id)
    if not history:
        abort(404, description="no record with this consent ID for this site")
    revisions = queries.revisions_by_number(db, site, {r.revision for r in history})
    return render_template("admin/consent_record.html", site=site, consent_id=consent_id,
                           history=history, revisions=revisions, categories=OPTIONAL_CATEGORIES)


EXPORTS = {"csv": ("text/csv; charset=utf-8", queries.csv_chunks),
           "json": ("application/json", queries.json_chunks)}


@bp.get("/sites/<key>/export.<fmt>")
def consent_export(key: str, fmt: str):
    """The filtered log as a download, streamed from the database while the client reads it."""
    if fmt not in EXPORTS:
        abort(404)
    site = load_site(key)
    _, filt = filter_from_request()
    mimetype, writer = EXPORTS[fmt]
    database, site_id = get_db(), site.id

    def generate():
        # Its own session: the request's one is closed at teardown, before the stream ends.
        with database.sessions() as session:
            yield from writer(queries.export_rows(session, session.get(Site, site_id), filt))

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"consents-{site.key}-{stamp}.{fmt}"
    return Response(stream_with_context(generate()), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def page_link(key: str, args: dict[str, Any], **position: str) -> str:
    return url_for("admin.consent_log", key=key, **args, **position)


bp.add_app_template_global(page_link, "consent_page_link")
