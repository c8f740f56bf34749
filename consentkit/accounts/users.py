"""Admin users: creation, roles, password checks and changes (werkzeug's scrypt hashes), removal.

There is always at least one owner: removing or demoting the last one is refused (`LastOwner`),
from the CLI and the admin alike, so the users and settings can always be managed.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import InvalidPassword, InvalidRole, InvalidSiteSettings, LastOwner, UnknownUser, UserExists
from ..models import ROLES, AdminSession, User, utcnow
from . import sessions as admin_sessions

MIN_PASSWORD = 12


def check_password(password: str, username: str = "") -> None:
    """At least MIN_PASSWORD characters and not the username: a passphrase of a few words does it."""
    if len(password) < MIN_PASSWORD:
        raise InvalidPassword(f"password must be at least {MIN_PASSWORD} characters (a few words will do)")
    if username and password.strip().lower() == username.strip().lower():
        raise InvalidPassword("password must not be the username")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRole(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    return role


def create_user(session: Session, username: str, password: str, role: str = "owner") -> User:
    check_role(role)
    username = username.strip()
    if not username or len(username) > 150:
        raise InvalidSiteSettings("username must be 1-150 characters")
    check_password(password, username)
    if session.scalar(select(User).where(User.username == username)):
        raise UserExists(f"user {username!r} exists already")
    user = User(username=username, password_hash=generate_password_hash(password, "scrypt"), role=role)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UnknownUser(username)
    return user


def list_users(session: Session) -> list[tuple[User, int]]:
    """Every user with the number of live sessions, by name."""
    counts = (select(AdminSession.user_id, func.count().label("n")).group_by(AdminSession.user_id)
              .subquery())
    rows = session.execute(select(User, func.coalesce(counts.c.n, 0))
                           .outerjoin(counts, counts.c.user_id == User.id).order_by(User.username))
    return [(user, int(n)) for user, n in rows]


def set_password(session: Session, username: str, password: str) -> int:
    """A new password; every session of the user ends (returns how many)."""
    user = get_user(session, username)
    check_password(password, username)
    user.password_hash = generate_password_hash(password, "scrypt")
    return admin_sessions.end_all(session, user)


def owner_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User).where(User.role == "owner")) or 0)


def _keep_an_owner(session: Session, user: User, what: str) -> None:
    if user.role == "owner" and owner_count(session) <= 1:
        raise LastOwner(f"{user.username!r} is the only owner; {what} would leave nobody who can manage "
                        "users and settings. Make another user an owner first.")


def set_role(session: Session, username: str, role: str) -> User:
    """Make a user an owner or a viewer; the last owner stays an owner."""
    user = get_user(session, username)
    check_role(role)
    if role != user.role:
        if role != "owner":
            _keep_an_owner(session, user, "making them a viewer")
        user.role = role
        session.flush()
    return user


def delete_user(session: Session, username: str) -> None:
    """Remove a user and their sessions; never the last owner."""
    user = get_user(session, username)
    _keep_an_owner(session, user, "removing them")
    admin_sessions.end_all(session, user)
    session.delete(user)
    session.flush()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password matches; a dummy hash check keeps timing equal for unknown names."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password", "scrypt")
