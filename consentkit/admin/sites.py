"""Sites: the list, adding one, its overview with the embed snippet, and editing its settings."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for

from .. import api, sites
from ..db import get_session
from ..errors import InvalidSiteSettings, UnknownSite
from ..models import Site
from .blueprint import bp
from .forms import SiteForm


def load_site(key: str) -> Site:
    """The site for a URL's key, or 404."""
    try:
        return sites.get_site(get_session(), key)
    except UnknownSite:
        abort(404, description=f"no site with key {key!r}")


def embed_snippet(key: str) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f'<script src="{base}/v1/sites/{key}/consent.js"></script>'


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
    site = load_site(key)
    return render_template("admin/site.html", site=site, snippet=embed_snippet(site.key))


@bp.route("/sites/<key>/edit", methods=["GET", "POST"])
def site_edit(key: str):
    site = load_site(key)
    form = SiteForm()
    if not form.is_submitted():
        form.fill(site)
    if form.validate_on_submit():
        db = get_session()
        try:
            bumped = sites.edit_site(db, site, **form.settings())
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


def _status(form: SiteForm) -> int:
    """400 when a submitted form comes back with errors (tests and scripts can tell)."""
    return 400 if form.is_submitted() else 200
