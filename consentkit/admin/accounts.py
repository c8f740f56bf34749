"""Users and sessions in the admin (owners only, see `roles`): add a user, give a new password, change
a role, remove a user, and see every signed-in browser with a button that ends it.

Per-user forms carry a prefix (`u<id>`) so that every label on the page names one input.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from ..accounts import sessions as admin_sessions
from ..accounts import users
from ..db import get_session
from ..errors import ConsentKitError, InvalidPassword
from ..models import User
from .auth import SESSION_TOKEN, lifetimes
from .blueprint import bp
from .forms import ActionForm, ConfirmForm, NewUserForm, PasswordResetForm, RoleForm


def _page(new_form: NewUserForm | None = None, status: int = 200):
    db = get_session()
    rows = users.list_users(db)
    idle, lifetime = lifetimes(current_app)
    forms = {user.id: (PasswordResetForm(formdata=None, prefix=f"u{user.id}"),
                       RoleForm(formdata=None, prefix=f"r{user.id}", role=user.role)) for user, _ in rows}
    return render_template("admin/users.html", rows=rows, forms=forms,
                           new_form=new_form or NewUserForm(formdata=None),
                           live=admin_sessions.live_sessions(db, idle, lifetime),
                           action=ActionForm(formdata=None), current=g.admin_session.id), status


def _user(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        flash("That user was removed already.", "error")
    return user


@bp.get("/users", endpoint="user_list")
def user_list():
    return _page()


@bp.post("/users")
def user_add():
    form = NewUserForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    db = get_session()
    try:
        users.create_user(db, form.username.data or "", form.password.data or "", form.role.data or "viewer")
    except InvalidPassword as exc:
        db.rollback()
        form.password.errors = [str(exc)]
        return _page(form, 400)
    except ConsentKitError as exc:  # taken, or not a username
        db.rollback()
        form.username.errors = [str(exc)]
        return _page(form, 400)
    db.commit()
    flash(f"Added {form.username.data} ({form.role.data}). Give them the password by a safe channel.", "ok")
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    """A new password; the user's open sessions end, as with `consentkit admin set-password`."""
    user = _user(user_id)
    form = PasswordResetForm(prefix=f"u{user_id}")
    if user is not None and form.validate_on_submit():
        db = get_session()
        try:
            ended = users.set_password(db, user.username, form.password.data or "")
        except ConsentKitError as exc:
            db.rollback()
            flash(f"Password of {user.username} not changed: {exc}", "error")
            return _page(status=400)
        db.commit()
        if user.id == g.user.id:
            return _signed_out(f"Your password is changed and your {ended} session(s) ended: sign in again.")
        flash(f"New password set for {user.username}; {ended} open session(s) ended.", "ok")
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    user = _user(user_id)
    form = RoleForm(prefix=f"r{user_id}")
    if user is not None and form.validate_on_submit():
        db = get_session()
        try:
            users.set_role(db, user.username, form.role.data or "")
        except ConsentKitError as exc:
            db.rollback()
            flash(str(exc), "error")
            return _page(status=409)
        db.commit()
        flash(f"{user.username} is now {user.role}.", "ok")
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:user_id>/delete")
def user_delete(user_id: int):
    """Remove a user (never the last owner); removing yourself asks first, then signs you out."""
    user = _user(user_id)
    form = ConfirmForm()
    if user is None or not form.validate_on_submit():
        return redirect(url_for("admin.user_list"))
    yourself = user.id == g.user.id
    if yourself and form.confirm.data != "yes":
        return render_template("admin/user_confirm.html", user=user,
                               form=ConfirmForm(formdata=None, confirm="yes")), 409
    db = get_session()
    name = user.username
    try:
        users.delete_user(db, name)
    except ConsentKitError as exc:
        db.rollback()
        flash(str(exc), "error")
        return _page(status=409)
    db.commit()
    if yourself:
        return _signed_out(f"You removed your own user {name}.")
    flash(f"Removed {name} and ended their sessions.", "ok")
    return redirect(url_for("admin.user_list"))


@bp.post("/sessions/<int:session_id>/revoke")
def session_revoke(session_id: int):
    """End one signed-in browser; ending your own signs you out here."""
    form = ActionForm()
    if form.validate_on_submit():
        db = get_session()
        mine = session_id == g.admin_session.id
        gone = admin_sessions.revoke(db, session_id)
        db.commit()
        if mine:
            return _signed_out("You ended this session.")
        flash("Session ended: that browser must sign in again." if gone
              else "That session had ended already.", "ok")
    return redirect(url_for("admin.user_list"))


def _signed_out(message: str) -> Response:
    session.pop(SESSION_TOKEN, None)
    flash(message, "ok")
    return redirect(url_for("admin.login"))
