"""Server-side admin sessions: signing out, a password change or an expiry ends them everywhere.

The browser's signed session cookie carries only a random token; the database keeps its SHA-256
with the user, when it started and when it was last used. Every admin request looks the token up
(one indexed SELECT), so a copied cookie stops working the moment its session is gone. Sessions
end after `ADMIN_SESSION_IDLE_MINUTES` without a request and `ADMIN_SESSION_MAX_HOURS` after the
sign-in, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import AdminSession, User, utcnow

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often per session


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start(session: Session, user: User, *, user_agent: str = "", client_ip: str | None = None) -> str:
    """A new session for `user`; returns the token for the browser's cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    session.add(AdminSession(token_hash=_digest(token), user_id=user.id, user_agent=user_agent[:256],
                             client_ip=client_ip))
    session.flush()
    return token


def resume(session: Session, token: str | None, idle: timedelta, lifetime: timedelta,
           now: datetime | None = None) -> AdminSession | None:
    """The live session of this token, touched; None when there is none, or it expired (then deleted)."""
    if not token:
        return None
    row = session.scalar(select(AdminSession).where(AdminSession.token_hash == _digest(token)))
    if row is None:
        return None
    now = now or utcnow()
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        session.delete(row)
        session.commit()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    return row


def end(session: Session, token: str | None) -> None:
    """Sign out: the session is deleted, so its cookie opens nothing any more."""
    if token:
        session.execute(delete(AdminSession).where(AdminSession.token_hash == _digest(token)))


def live_sessions(session: Session, idle: timedelta, lifetime: timedelta,
                  now: datetime | None = None) -> list[AdminSession]:
    """Every session that has not expired, most recently used first (the admin's sessions list)."""
    now = now or utcnow()
    rows = session.scalars(select(AdminSession).where(AdminSession.last_seen_at > now - idle,
                                                      AdminSession.created_at > now - lifetime)
                           .order_by(AdminSession.last_seen_at.desc(), AdminSession.id.desc()))
    return list(rows)


def revoke(session: Session, session_id: int) -> bool:
    """End one session by its id (from the sessions list); False when it was gone already."""
    result = session.execute(delete(AdminSession).where(AdminSession.id == session_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_all(session: Session, user: User) -> int:
    """End every session of a user (after a password change); returns how many there were."""
    result = session.execute(delete(AdminSession).where(AdminSession.user_id == user.id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
