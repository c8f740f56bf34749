"""Admin users: creation and password checks (werkzeug's scrypt hashes)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import InvalidSiteSettings, UserExists
from .models import User, utcnow

MIN_PASSWORD = 10


def create_user(session: Session, username: str, password: str) -> User:
    username = username.strip()
    if not username or len(username) > 150:
        raise InvalidSiteSettings("username must be 1-150 characters")
    if len(password) < MIN_PASSWORD:
        raise InvalidSiteSettings(f"password must be at least {MIN_PASSWORD} characters")
    if session.scalar(select(User).where(User.username == username)):
        raise UserExists(f"user {username!r} exists already")
    user = User(username=username, password_hash=generate_password_hash(password, "scrypt"))
    session.add(user)
    session.flush()
    return user


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
