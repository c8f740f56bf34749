"""The site's declaration in the admin: what the owner should fix first (violations in the latest
scan, no controller, purposes published as generated sentences), the intro and closing per
language, and a preview of the declaration and the policy section as visitors will read them.

"Preview" renders the texts in the form without saving them; "Save" stores them (validated by
`declaration.owner_texts`). Neither changes the site's revision: these texts are the declaration's,
not the banner's.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, flash, redirect, render_template, request, url_for

from .. import public_url
from ..db import get_session
from ..declaration import owner_texts, policy, render
from ..declaration.content import load_declaration
from ..declaration.localized import localize
from ..declaration.review import review
from ..declaration.texts import LANGUAGES, texts
from ..errors import InvalidSiteSettings
from .blueprint import bp
from .forms import DeclarationTextsForm
from .sites import load_site


def _language(site) -> str:
    lang = request.values.get("language") or request.args.get("lang") or site.default_language
    return lang if lang in LANGUAGES else site.default_language


@bp.route("/sites/<key>/declaration", methods=["GET", "POST"], endpoint="declaration")
def declaration_view(key: str):
    site = load_site(key)
    lang = _language(site)
    form = DeclarationTextsForm()
    if not form.is_submitted():
        form.fill(site.declaration_texts or {})
    decl = load_declaration(get_session(), site)
    status = 200
    if form.validate_on_submit():
        try:
            texts_given = owner_texts.validate(form.texts())
        except InvalidSiteSettings as exc:
            flash(str(exc), "error")
            status = 400
        else:
            if request.form.get("action") == "save":
                site.declaration_texts = texts_given
                get_session().commit()
                flash("Saved the declaration's texts.", "ok")
                return redirect(url_for("admin.declaration", key=key, lang=lang))
            decl = replace(decl, owner_texts=texts_given)
            flash("Preview of the texts below; they are not saved yet.", "ok")
    elif form.is_submitted():
        status = 400
    base = public_url.for_request(current_app, request)
    view = localize(decl, lang, public_url.declaration_url(base, key, lang))
    return render_template(
        "admin/declaration.html", site=site, form=form, lang=lang, languages=LANGUAGES,
        language_names={code: texts(code)["language_name"] for code in LANGUAGES},
        notices=review(decl), variables=owner_texts.VARIABLES,
        preview=render.html_fragment(view, heading_level=3, marks=True),
        policy_preview=policy.policy_html(view, heading_level=3),
        hosted_url=public_url.declaration_url(base, key, lang)), status
