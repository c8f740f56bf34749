"""The review queue of the inventory: items the knowledge base did not know (or only guessed), each
with the classifier's suggestion and its reason, a form with no category chosen, the option to
apply the answer to every name matching a pattern (`_ga_*`, rules in `consentkit.scans.review_queue`), and
the history of who classified what, when.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import api
from ..db import get_session
from ..models import Override, OverrideEvent, Site, utcnow
from ..scans import inventory
from ..scans.review_queue import (
    InvalidPattern,
    by_category,
    matching,
    needs_review,
    pattern_prefix,
    suggested_pattern,
)
from ..sites import registry as sites
from .blueprint import bp
from .forms import OverrideForm
from .sites import load_site

HISTORY_ROWS = 100


def form_prefix(item: dict[str, Any]) -> str:
    """Per queued item; it keeps element ids (and so labels) unique on the page."""
    return "o" + hashlib.sha1(f"{item['kind']}\0{item['name']}".encode()).hexdigest()[:10]


def queue_form(item: dict[str, Any]) -> OverrideForm:
    """The item's form, filled with what we know except the category: the owner picks that."""
    form = OverrideForm(formdata=None, prefix=form_prefix(item))
    purpose = item.get("purpose") or {}
    form.process(data={"name": item["name"], "kind": item["kind"], "provider": item.get("provider") or "",
                       "category": "", "match": "exact", "pattern": suggested_pattern(item["name"]),
                       "purpose_en": purpose.get("en") or "", "purpose_nb": purpose.get("nb") or "",
                       "purpose_nn": purpose.get("nn") or ""})
    return form


def history(session: Session, site: Site) -> list[OverrideEvent]:
    return list(session.scalars(select(OverrideEvent).where(OverrideEvent.site_id == site.id)
                                .order_by(OverrideEvent.created_at.desc(), OverrideEvent.id.desc())
                                .limit(HISTORY_ROWS)))


def render_inventory(site: Site, failed: OverrideForm | None = None, status: int = 200):
    """The inventory page; `failed` is a submitted form shown again with its errors and values."""
    db = get_session()
    items = inventory.site_inventory(db, site)
    queued = [item for item in items if needs_review(item)]
    queue = []
    for item in queued:
        form = failed if failed is not None and failed.name.data == item["name"] \
            and failed.kind.data == item["kind"] else queue_form(item)
        pattern = form.pattern.data or ""
        covered = matching(queued, item["kind"], pattern[:-1]) if pattern.endswith("*") else []
        queue.append((item, form, form_prefix(item), covered))
    return render_template("admin/inventory.html", site=site, groups=by_category(items), queue=queue,
                           overrides=inventory.site_overrides(db, site), history=history(db, site),
                           violations=set()), status


@bp.get("/sites/<key>/inventory", endpoint="inventory")
def inventory_view(key: str):
    return render_inventory(load_site(key))


@bp.post("/sites/<key>/overrides")
def override_save(key: str):
    """Store the owner's classification, note it in the history, and refresh the site's revision
    (banner and declaration follow). A form with errors comes back as it was sent, with a 400."""
    site = load_site(key)
    prefix = request.form.get("prefix", "")
    form = OverrideForm(prefix=prefix if prefix.isalnum() else "")
    name_prefix = ""
    if form.validate() and form.match.data == "prefix":
        try:
            name_prefix = pattern_prefix(form.pattern.data or "", form.name.data or "")
        except InvalidPattern as exc:
            form.pattern.errors = [str(exc)]
    if form.errors:
        flash("Not saved: " + "; ".join(f"{getattr(form, k).label.text}: {', '.join(v)}"
                                        for k, v in form.errors.items() if k != "csrf_token")
              or "Not saved: the form expired, reload the page.", "error")
        return render_inventory(site, form, 400)
    db = get_session()
    queued = [i for i in inventory.site_inventory(db, site) if needs_review(i)]
    covered = matching(queued, form.kind.data or "cookie", name_prefix) if name_prefix else [form.name.data]
    save_override(db, site, form, name_prefix or (form.name.data or ""), len(covered) or 1)
    bumped = sites.refresh_revision(db, site)
    db.commit()
    api.forget_site(current_app, site.key)
    what = f"{len(covered)} item(s) matching {name_prefix}*" if name_prefix else form.name.data
    note = f" Revision {site.revision}: visitors will be asked again." if bumped else ""
    flash(f"{what} {'are' if name_prefix else 'is'} now {form.category.data}.{note}", "ok")
    return redirect(url_for("admin.inventory", key=site.key))


def save_override(db: Session, site: Site, form: OverrideForm, name: str, items: int = 1) -> Override:
    """Create or update the override for (kind, name, match), and record the change."""
    match = "prefix" if form.match.data == "prefix" else "exact"
    existing = db.scalar(select(Override).where(
        Override.site_id == site.id, Override.kind == form.kind.data, Override.name == name,
        Override.match == match))
    row = existing or Override(site_id=site.id, name=name, kind=form.kind.data, match=match)
    previous = existing.category if existing else ""
    row.category = form.category.data or ""
    row.provider = (form.provider.data or "").strip()
    row.purpose_en = (form.purpose_en.data or "").strip()
    row.purpose_nb = (form.purpose_nb.data or "").strip() or row.purpose_en
    # No bokmål copy: the nynorsk declaration says a nynorsk sentence where this is empty.
    row.purpose_nn = (form.purpose_nn.data or "").strip()
    who = getattr(g, "user", None)
    row.updated_at, row.updated_by = utcnow(), who.username if who else ""
    db.add(row)
    db.add(OverrideEvent(site_id=site.id, name=name, match=match, kind=row.kind, previous_category=previous,
                         category=row.category, items=items, username=row.updated_by or ""))
    db.flush()
    return row
