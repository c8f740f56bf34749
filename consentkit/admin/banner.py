"""The banner editor: texts per language, the accent colour, position and layout as form fields,
with a live preview of the real banner (the same bundle as consent.js, in an iframe per language).

The preview page and its script take the unsaved design from the query string (`draft`: base64url
JSON, so the editor's script can rebuild the iframe's URL as the owner types). The preview banner
posts its clicks to `banner_preview_sink`, which stores nothing, and writes its cookie for a domain
the browser refuses, so it shows again on every load.

Saving refuses designs `banner_design.problems` finds fault with, and, when the texts change
(which bumps the revision: every visitor is asked again), asks for a confirmation first.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from wtforms import BooleanField, ColorField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .. import api, public_url
from ..api.script import render as render_script
from ..api.script import view_url
from ..db import get_session
from ..errors import InvalidSiteSettings
from ..models import Site
from ..scans.inventory import site_inventory
from ..sites import banner_config, banner_design
from ..sites import registry as sites
from .auth import csrf
from .blueprint import bp
from .forms import FlaskForm, options
from .sites import load_site

# The texts of the first and second layer an owner most often rewrites (banner/src/texts.js keys).
TEXT_KEYS = {"title": "Title", "description": "Description", "accept": '"Accept all" button',
             "reject": '"Reject all" button', "customize": '"Customize" button',
             "save": '"Save choices" button',
             "settings": "Settings title", "settingsText": "Settings description"}
LONG_KEYS = ("description", "settingsText")
LANGUAGE_NAMES = {"nb": "bokmål", "nn": "nynorsk", "en": "English"}
POSITIONS = options(("bottom", "bottom of the page"), ("center", "centre (dims nothing)"))
MAX_TEXT = 2000
MAX_DRAFT = 24_000
PREVIEW_HEADERS = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                   "img-src 'self' data:; frame-ancestors 'self'; form-action 'none'",
                   "X-Frame-Options": "SAMEORIGIN"}


def text_field(key: str, lang: str) -> str:
    return f"t_{lang}_{key}"


class BannerForm(FlaskForm):
    accent = ColorField("Accent colour (buttons and links)", default=banner_design.DEFAULT_ACCENT)
    position = SelectField("Position", choices=POSITIONS, default="bottom")
    reopen_button = BooleanField("Show the round button that reopens the settings", default=True)


for _lang in sites.LANGUAGES:
    for _key, _label in TEXT_KEYS.items():
        field_class = TextAreaField if _key in LONG_KEYS else StringField
        setattr(BannerForm, text_field(_key, _lang),
                field_class(f"{_label} ({LANGUAGE_NAMES[_lang]})",
                            validators=[Optional(), Length(max=MAX_TEXT)]))


class ConfirmBump(FlaskForm):
    pass


def design_from_form(form: BannerForm, site: Site) -> tuple[dict[str, Any], dict[str, Any]]:
    """(texts, appearance) as they would be saved: the editor's keys replaced, others kept."""
    texts = {lang: dict(value) for lang, value in (site.texts or {}).items() if isinstance(value, dict)}
    for lang in site.languages:
        own = texts.setdefault(lang, {})
        for key in TEXT_KEYS:
            value = (getattr(form, text_field(key, lang)).data or "").strip()
            if value:
                own[key] = value
            else:
                own.pop(key, None)
    texts = {lang: value for lang, value in texts.items() if value}
    appearance = {**(site.appearance or {}), "accent": (form.accent.data or "").lower(),
                  "position": form.position.data if form.position.data in ("bottom", "center") else "bottom"}
    if form.reopen_button.data:
        appearance.pop("reopenButton", None)
    else:
        appearance["reopenButton"] = False
    return texts, appearance


def fill(form: BannerForm, site: Site) -> None:
    for lang in site.languages:
        own = (site.texts or {}).get(lang) or {}
        for key in TEXT_KEYS:
            getattr(form, text_field(key, lang)).data = own.get(key, "")
    appearance = site.appearance or {}
    form.accent.data = banner_design.accent_of(appearance)
    form.position.data = "center" if appearance.get("position") == "center" else "bottom"
    form.reopen_button.data = appearance.get("reopenButton") is not False


def encode_draft(texts: dict[str, Any], appearance: dict[str, Any]) -> str:
    raw = json.dumps({"texts": texts, "appearance": appearance}, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_draft(value: str, site: Site) -> tuple[dict[str, Any], dict[str, Any]]:
    """The draft of a preview URL, or the saved design where it is missing or malformed."""
    texts, appearance = dict(site.texts or {}), dict(site.appearance or {})
    if not value or len(value) > MAX_DRAFT:
        return texts, appearance
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return texts, appearance
    if isinstance(data, dict) and isinstance(data.get("texts"), dict):
        texts = {str(lang): {str(k): str(v)[:MAX_TEXT] for k, v in own.items() if isinstance(v, str)}
                 for lang, own in data["texts"].items() if lang in sites.LANGUAGES and isinstance(own, dict)}
    if isinstance(data, dict) and isinstance(data.get("appearance"), dict):
        appearance = {k: v for k, v in data["appearance"].items()
                      if k in ("accent", "position", "reopenButton") and isinstance(v, str | bool)}
    return texts, appearance


def render_editor(site: Site, form: BannerForm, problems: list[str], confirm: bool = False,
                  status: int = 200):
    texts, appearance = design_from_form(form, site)
    return render_template("admin/banner.html", site=site, form=form, problems=problems, confirm=confirm,
                           confirm_form=ConfirmBump(formdata=None), draft=encode_draft(texts, appearance),
                           text_keys=TEXT_KEYS, long_keys=LONG_KEYS, language_names=LANGUAGE_NAMES,
                           field_name=text_field, texts_changed=texts != (site.texts or {})), status


@bp.route("/sites/<key>/banner", methods=["GET", "POST"], endpoint="banner_edit")
def banner_edit(key: str):
    site = load_site(key)
    form = BannerForm()
    if not form.is_submitted():
        fill(form, site)
        return render_editor(site, form, [])
    if not form.validate():
        return render_editor(site, form, ["Not saved: " + "; ".join(
            f"{getattr(form, k).label.text}: {', '.join(v)}" for k, v in form.errors.items())], status=400)
    texts, appearance = design_from_form(form, site)
    problems = banner_design.problems(texts, appearance, list(site.languages))
    if problems:
        return render_editor(site, form, problems, status=400)
    if request.form.get("action") != "save":
        return render_editor(site, form, [])
    if texts != (site.texts or {}) and request.form.get("confirm") != "yes":
        return render_editor(site, form, [], confirm=True, status=409)
    db = get_session()
    try:
        bumped = sites.edit_site(db, site, texts=texts, appearance=appearance)
    except InvalidSiteSettings as exc:
        db.rollback()
        return render_editor(site, form, [str(exc)], status=400)
    db.commit()
    api.forget_site(current_app, site.key)
    flash("Banner saved." + (f" Revision {site.revision}: visitors will be asked again." if bumped else
                             " The texts did not change, so visitors are not asked again."), "ok")
    return redirect(url_for("admin.banner_edit", key=site.key))


def _language(site: Site) -> str:
    lang = request.args.get("lang", "")
    return lang if lang in site.languages else site.default_language


@bp.get("/sites/<key>/banner/preview")
def banner_preview(key: str):
    """A stand-in page, framed by the editor, on which the real banner shows the draft."""
    site = load_site(key)
    lang = _language(site)
    html = render_template("admin/banner_preview.html", site=site, lang=lang,
                           script=url_for("admin.banner_preview_js", key=site.key, lang=lang,
                                          draft=request.args.get("draft", "")))
    return Response(html, headers=PREVIEW_HEADERS)


@bp.get("/sites/<key>/banner/preview.js")
def banner_preview_js(key: str):
    """The site's consent.js bundle with the draft's texts and appearance, posting nowhere real."""
    site = load_site(key)
    texts, appearance = decode_draft(request.args.get("draft", ""), site)
    config = banner_config.build(site, site_inventory(get_session(), site),
                                 public_url.for_request(current_app, request))
    config.update(texts=texts, appearance=appearance, viewUrl=view_url(),
                  endpoint=url_for("admin.banner_preview_sink", key=site.key),
                  cookieName="consentkit_preview", cookieDomain="preview.invalid")
    body = render_script(config, True).identity
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "no-store"})


@bp.post("/sites/<key>/banner/preview/consents")
@csrf.exempt
def banner_preview_sink(key: str):
    """Where the preview banner sends a click: nothing is stored; 422 tells it not to retry."""
    return jsonify(error="preview", message="a preview records nothing"), 422
