"""Sites: the list, adding one, its overview with the embed snippet, and editing its settings."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from .. import api, public_url, snippet
from ..db import get_session
from ..errors import InvalidSiteSettings, UnknownSite
from ..models import Site
from ..scans import notify
from ..sites import registry as sites
from . import dashboard
from .blueprint import bp
from .forms import DeleteSiteForm, EditSiteForm, OriginForm, SiteForm


def load_site(key: str) -> Site:
    """The site for a URL's key, or 404."""
    try:
        return sites.get_site(get_session(), key)
    except UnknownSite:
        abort(404, description=f"no site with key {key!r}")


def embed_snippet(site: Site) -> str:
    """The snippet with the address this admin was reached at (or PUBLIC_URL)."""
    return snippet.for_site(public_url.for_request(current_app, request), site)


@bp.get("/sites")
def site_list():
    return render_template("admin/sites.html", sites=sites.list_sites(get_session()))


@bp.route("/sites/new", methods=["GET", "POST"])
def site_new():
    form = SiteForm()
    if not form.is_submitted():
        form.process(data=sites.defaults())
    if form.validate_on_submit():
        db = get_session()
        try:
            settings = form.settings()
            site = sites.create_site(db, name=settings.pop("name"), origins=settings.pop("origins"),
                                     **settings)
            if site.webhook_url:
                notify.rotate_webhook_secret(site)
        except InvalidSiteSettings as exc:
            db.rollback()
            flash(str(exc), "error")
        else:
            db.commit()
            flash(f"Created {site.name}. Paste the snippet below into every page.", "ok")
            return redirect(url_for("admin.site_show", key=site.key))
    return render_template("admin/site_form.html", form=form, site=None), _status(form)


@bp.get("/sites/<key>")
def site_show(key: str):
    """The site's overview (figures, latest scan, queue, schedule), its embed snippet and origins."""
    site = load_site(key)
    return render_template("admin/site.html", site=site, snippet=embed_snippet(site),
                           csp_hash=snippet.csp_hash(),
                           ov=dashboard.site_overview(get_session(), site), methods=dashboard.SHARE_METHODS,
                           period=dashboard.PERIOD_DAYS, weeks=dashboard.TREND_WEEKS,
                           add_form=OriginForm(formdata=None), remove_form=OriginForm(formdata=None),
                           webhook_secret=notify.webhook_secret(current_app.config["SECRET_KEY"], site))


@bp.post("/sites/<key>/origins")
def origin_add(key: str):
    """Allow one more origin; the others stay."""
    site = load_site(key)
    form = OriginForm()
    if form.validate_on_submit():
        try:
            added = sites.add_origins(site, [form.origin.data or ""])
        except InvalidSiteSettings as exc:
            flash(str(exc), "error")
        else:
            _saved(site)
            flash(f"Allowed {added[0]}." if added else "That origin was allowed already.", "ok")
    return redirect(url_for("admin.site_show", key=key))


@bp.post("/sites/<key>/origins/remove")
def origin_remove(key: str):
    """Stop allowing one origin; the last one goes only after a warning and a confirmation."""
    site = load_site(key)
    form = OriginForm()
    if not form.validate_on_submit():
        abort(400, description="name the origin to remove")
    try:
        gone = sites.remove_origins(site, [form.origin.data or ""],
                                    allow_none_left=form.confirm.data == "yes")
    except sites.LastOrigin as exc:
        return render_template("admin/origin_confirm.html", site=site, warning=str(exc),
                               form=OriginForm(formdata=None, origin=form.origin.data, confirm="yes")), 409
    except InvalidSiteSettings as exc:
        flash(str(exc), "error")
    else:
        _saved(site)
        flash(f"{gone[0]} is no longer allowed.", "ok")
    return redirect(url_for("admin.site_show", key=key))


def _saved(site: Site) -> None:
    get_session().commit()
    api.forget_site(current_app, site.key)


@bp.route("/sites/<key>/edit", methods=["GET", "POST"])
def site_edit(key: str):
    site = load_site(key)
    form = EditSiteForm()
    if not form.is_submitted():
        form.fill(site)
    if form.validate_on_submit():
        db = get_session()
        try:
            bumped = sites.edit_site(db, site, **form.settings())
            if site.webhook_url and not site.webhook_key_id:
                notify.rotate_webhook_secret(site)  # shown on the site's page
        except InvalidSiteSettings as exc:
            db.rollback()
            flash(str(exc), "error")
        else:
            db.commit()
            api.forget_site(current_app, site.key)
            note = f" Revision {site.revision}: visitors will be asked again." if bumped else ""
            flash(f"Saved.{note}", "ok")
            return redirect(url_for("admin.site_show", key=site.key))
    return render_template("admin/site_form.html", form=form, site=site), _status(form)


def _status(form: SiteForm | EditSiteForm) -> int:
    """400 when a submitted form comes back with errors (tests and scripts can tell)."""
    return 400 if form.is_submitted() else 200


@bp.route("/sites/<key>/delete", methods=["GET", "POST"])
def site_delete(key: str):
    """Delete a site for good, after the owner types its key; the page offers the log's export first."""
    site = load_site(key)
    form = DeleteSiteForm()
    db = get_session()
    if form.validate_on_submit():
        if (form.confirm_key.data or "").strip() != site.key:
            form.confirm_key.errors = [f"type the site key {site.key} to delete it"]
        else:
            name = site.name
            records = sites.delete_site(db, site)
            db.commit()
            api.forget_site(current_app, key)
            flash(f"Deleted {name} and its {records:,} consent record(s).", "ok")
            return redirect(url_for("admin.site_list"))
    records = sites.record_count(db, site)
    return render_template("admin/site_delete.html", site=site, form=form, records=records), _status(form)
