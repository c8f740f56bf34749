"""Signing in and out, the sign-in requirement for every admin page, CSRF and the login rate limit."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from .. import ratelimit, users
from ..db import get_session
from ..models import User
from .blueprint import PUBLIC_ENDPOINTS, bp
from .forms import LoginForm


class AdminCSRF(CSRFProtect):
    """CSRFProtect that checks only the admin blueprint; the public API takes cross-origin POSTs."""

    def _is_exempt(self) -> bool:
        return request.blueprint != bp.name or super()._is_exempt()


csrf = AdminCSRF()



def init_limiter(app: Flask) -> None:
    """The app's shared limiter (the API's too); with Redis configured the count spans processes."""
    if ratelimit.EXTENSION not in app.extensions:
        ratelimit.init_app(app)


@bp.before_request
def require_sign_in():
    """Every admin endpoint but the login page and its CSS needs a signed-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user_id = session.get("user_id")
    user = get_session().get(User, user_id) if user_id is not None else None
    if user is None:
        session.pop("user_id", None)
        return redirect(url_for("admin.login", next=request.full_path if request.args else request.path))
    g.user = user
    return None


def safe_next(target: str | None) -> str:
    """Only a path on this server: an open redirect after sign-in would help phishing."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/admin"):
        return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in attempts count against LOGIN_RATE_LIMIT per client, right or wrong: it slows guessing."""
    if request.method == "POST":
        ratelimit.check("admin-login", "LOGIN_RATE_LIMIT")
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = users.authenticate(db, form.username.data or "", form.password.data or "")
        if user is not None:
            db.commit()
            session.clear()  # a fresh session on sign-in: no fixation
            session["user_id"] = user.id
            return redirect(safe_next(request.args.get("next")))
        flash("Wrong username or password.", "error")
    status = 401 if request.method == "POST" else 200
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
def index():
    return redirect(url_for("admin.site_list"))
