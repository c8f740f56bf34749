"""Signing in and out, the sign-in requirement for every admin page, CSRF, the login rate limit and
the lockout of an account after repeated failures.

Sessions live on the server (`consentkit.accounts.sessions`): the cookie holds a token, and signing
out deletes its session, so a copied cookie stops working at once.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from .. import ratelimit
from ..accounts import sessions as admin_sessions
from ..accounts import users
from ..consentlog import records as consents
from ..db import get_session
from . import roles
from .blueprint import PUBLIC_ENDPOINTS, bp
from .forms import LoginForm

SESSION_TOKEN = "sid"
LOCKOUT_SCOPE = "admin-login-failures"


# Checked only on the admin blueprint (`check_csrf`): the public API takes cross-origin POSTs.
# WTF_CSRF_CHECK_DEFAULT is off (admin.init_app), so nothing else is checked by default.
csrf = CSRFProtect()


@bp.before_request
def check_csrf() -> None:
    """Every unsafe admin request carries the form's token; views marked `@csrf.exempt` skip it."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect(apply_exemptions=True)



def init_limiter(app: Flask) -> None:
    """The app's shared limiter (the API's too); with Redis configured the count spans processes."""
    if ratelimit.EXTENSION not in app.extensions:
        ratelimit.init_app(app)


def lifetimes(app: Flask) -> tuple[timedelta, timedelta]:
    return (timedelta(minutes=float(app.config["ADMIN_SESSION_IDLE_MINUTES"])),
            timedelta(hours=float(app.config["ADMIN_SESSION_MAX_HOURS"])))


@bp.before_request
def require_sign_in():
    """Every admin endpoint but the login page and its CSS needs a live server-side session."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    idle, lifetime = lifetimes(current_app)
    live = admin_sessions.resume(get_session(), session.get(SESSION_TOKEN), idle, lifetime)
    if live is None:
        if session.pop(SESSION_TOKEN, None):
            flash("Your session ended. Please sign in again.", "error")
        return redirect(url_for("admin.login", next=request.full_path if request.args else request.path))
    g.user = live.user
    g.admin_session = live
    roles.check(live.user)
    return None


def safe_next(target: str | None) -> str:
    """Only a path on this server: an open redirect after sign-in would help phishing."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/admin"):
        return target
    return url_for("admin.overview")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in attempts count against LOGIN_RATE_LIMIT per client, right or wrong: it slows guessing.
    Failures also count per username against LOGIN_LOCKOUT, from any client: a locked account
    refuses even the right password until the window ends."""
    if request.method == "POST":
        ratelimit.check("admin-login", "LOGIN_RATE_LIMIT")
    form = LoginForm()
    status = 401 if request.method == "POST" else 200
    if form.validate_on_submit():
        username = form.username.data or ""
        locked = ratelimit.wait_seconds(LOCKOUT_SCOPE, "LOGIN_LOCKOUT", username)
        if locked:
            flash(f"Too many failed sign-ins for this account. Try again in {-(-locked // 60)} "
                  "minutes.", "error")
            return render_template("admin/login.html", form=form), 429
        db = get_session()
        user = users.authenticate(db, username, form.password.data or "")
        if user is not None:
            session.clear()  # a fresh session on sign-in: no fixation
            session.permanent = True
            session[SESSION_TOKEN] = admin_sessions.start(
                db, user, user_agent=request.headers.get("User-Agent", ""),
                client_ip=consents.minimise_ip(request.remote_addr, "truncate", ""))
            db.commit()
            return redirect(safe_next(request.args.get("next")))
        ratelimit.count(LOCKOUT_SCOPE, "LOGIN_LOCKOUT", username)
        flash("Wrong username or password.", "error")
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session on the server, not only in this browser."""
    db = get_session()
    admin_sessions.end(db, session.get(SESSION_TOKEN))
    db.commit()
    session.clear()
    return redirect(url_for("admin.login"))



