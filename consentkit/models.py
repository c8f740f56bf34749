"""The database schema, as typed SQLAlchemy 2.0 models.

Every change here needs an Alembic revision (`alembic revision --autogenerate -m slug` from the
repository root); `tests/test_migrations.py` runs `alembic check` on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

CATEGORIES = ("necessary", "functional", "analytics", "marketing")
OPTIONAL_CATEGORIES = CATEGORIES[1:]

# Constraint names fixed by convention so migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Site(Base):
    """A website whose visitors are asked for consent. `revision` rises when what they are told changes."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    origins: Mapped[list[Any]] = mapped_column(default=list)
    allow_subdomains: Mapped[bool] = mapped_column(default=False)
    languages: Mapped[list[Any]] = mapped_column(default=lambda: ["nb", "nn", "en"])
    default_language: Mapped[str] = mapped_column(String(8), default="nb")
    categories: Mapped[list[Any]] = mapped_column(default=lambda: list(OPTIONAL_CATEGORIES))
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    appearance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    consent_lifetime_days: Mapped[int] = mapped_column(default=365)
    privacy_policy_url: Mapped[str | None] = mapped_column(String(2048))
    consent_mode: Mapped[bool] = mapped_column(default=False)
    # "marketing": GPC denies marketing; "marketing_analytics": also analytics; "ignore".
    gpc_policy: Mapped[str] = mapped_column(String(32), default="marketing")
    cookie_name: Mapped[str] = mapped_column(String(64), default="consentkit")
    cookie_domain: Mapped[str | None] = mapped_column(String(253))
    retention_days: Mapped[int] = mapped_column(default=5 * 365)
    # How the client IP is kept: "truncate" (/24, /48), "hash" (keyed), or "none".
    ip_mode: Mapped[str] = mapped_column(String(16), default="truncate")
    # SHA-256 of the site's API key (server-to-server POSTs without an Origin); the key is shown once.
    api_key_hash: Mapped[str | None] = mapped_column(String(64))
    api_key_created_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Scheduled rescans ("off", "weekly", "monthly") and who hears about what they find
    # (consentkit.jobs.schedules, consentkit.scans.notify). The webhook's signing secret is derived from the
    # app's SECRET_KEY and `webhook_key_id`; rotating it is a new id, so no secret is stored.
    rescan: Mapped[str] = mapped_column(String(16), default="off")
    notify_emails: Mapped[list[Any]] = mapped_column(default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    webhook_key_id: Mapped[str | None] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Who is responsible for the site's processing (GDPR art. 13(1)(a)), shown in the declaration.
    controller_name: Mapped[str | None] = mapped_column(String(200))
    controller_org_number: Mapped[str | None] = mapped_column(String(40))
    controller_address: Mapped[str | None] = mapped_column(String(300))
    controller_email: Mapped[str | None] = mapped_column(String(254))
    # The owner's own intro and closing of the declaration: {lang: {"intro": …, "closing": …}}.
    declaration_texts: Mapped[dict[str, Any]] = mapped_column(default=dict)

    revisions: Mapped[list[SiteRevision]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteRevision.revision"
    )


class SiteRevision(Base):
    """What visitors were shown at one revision: texts and cookie list, and their hash.

    Consent records keep the hash, so what a visitor was told can be reproduced years later.
    """

    __tablename__ = "site_revisions"
    __table_args__ = (UniqueConstraint("site_id", "revision", name="uq_site_revisions_site_rev"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    revision: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    site: Mapped[Site] = relationship(back_populates="revisions")


class ConsentRecord(Base):
    """One visitor choice. Append-only: a changed choice is a new row with the same consent_id.

    `seq` numbers the records of one consent ID 1, 2, 3 …; the unique index on it is what makes a
    history grow only from the browser holding its latest receipt (see `consentkit.consentlog.receipts`): an
    append names the receipt of record n and inserts n + 1, so a second append with the same
    receipt, or one with an old receipt, collides instead of forking or rewriting the history.
    """

    __tablename__ = "consent_records"
    __table_args__ = (
        # Keyset pages of the log walk (site_id, created_at, id); on PostgreSQL the choices ride
        # along in the index, so the per-day statistics are answered from the index alone.
        Index("ix_consent_records_site_created", "site_id", "created_at", "id",
              postgresql_include=["method", "functional", "analytics", "marketing"]),
        Index("uq_consent_records_site_consent_seq", "site_id", "consent_id", "seq", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    consent_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer, default=1)
    # SHA-256 (first 32 hex digits) of the random ID the banner gives each record it queues: a retry
    # of a record whose answer was lost is recognised by it, and gets the stored record's receipt.
    record_key: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # One column per optional category keeps statistics queries to plain aggregates.
    # NULL means the site did not ask for that category at that revision.
    functional: Mapped[bool | None] = mapped_column(Boolean)
    analytics: Mapped[bool | None] = mapped_column(Boolean)
    marketing: Mapped[bool | None] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int]
    revision_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    page_url: Mapped[str] = mapped_column(String(2048), default="")
    banner_version: Mapped[str] = mapped_column(String(32), default="")
    user_agent: Mapped[str] = mapped_column(String(256), default="")
    gpc: Mapped[bool] = mapped_column(default=False)
    client_ip: Mapped[str | None] = mapped_column(String(64))


class ReceiptKey(Base):
    """An Ed25519 key pair that signs a site's consent receipts; retired keys still verify old ones.

    The private key is sealed with a key derived from the app's SECRET_KEY (AES-GCM): a copy of
    the database alone cannot sign receipts. After the secret key changes the old private key
    cannot be opened, so a new pair is made and the old public key stays published.
    """

    __tablename__ = "receipt_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    kid: Mapped[str] = mapped_column(String(32), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64url of the raw 32 bytes
    sealed_private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)


class Scan(Base):
    """One run of the scanner; `report` is the full JSON report (schema in scanner/report.py)."""

    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_site_started", "site_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    # "queued", "running", "done", "failed"
    status: Mapped[str] = mapped_column(String(16), default="queued")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    pages_done: Mapped[int] = mapped_column(default=0)
    pages_queued: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Hash of the inventory (names, domains, categories): a change bumps the site's revision.
    inventory_hash: Mapped[str | None] = mapped_column(String(64))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The job that ran it (null for scans stored before jobs existed), and what changed since the
    # previous finished scan of the same origin (consentkit.diff; null until it finished).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)


JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


class Job(Base):
    """A unit of work on the task queue (consentkit.jobs): scanning some origins of a site.

    The queue (Huey) carries only the job's id; this row is its state, which every worker, the
    CLI and the admin read. A running job's worker writes `heartbeat_at` every few seconds; a job
    whose heartbeat stops is retried once (`attempts`), then failed, so none stays running.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_site_created", "site_id", "created_at"),
                      Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    # "scan", or "noop" (a job that does nothing: the queue's own overhead, bench/bench_jobs.py)
    kind: Mapped[str] = mapped_column(String(16), default="scan")
    # Who asked: "cli" (run in the foreground), "queue" (scan --queue), "admin", "schedule", "demo"
    trigger: Mapped[str] = mapped_column(String(16), default="queue")
    urls: Mapped[list[Any]] = mapped_column(default=list)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    task_id: Mapped[str | None] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(200))
    # {"url", "origin" (1-based), "origins", "pages_done", "pages_queued"}
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class WorkerProcess(Base):
    """A running `consentkit worker` (or the demo's in-process one), seen through its heartbeat:
    the admin says so when no worker is taking the queued jobs."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int]
    concurrency: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Override(Base):
    """A site owner's own classification of a cookie or storage item; it wins over the knowledge base."""

    __tablename__ = "overrides"
    __table_args__ = (
        UniqueConstraint("site_id", "kind", "name", "match", name="uq_overrides_site_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    # "exact" or "prefix"
    match: Mapped[str] = mapped_column(String(8), default="exact")
    # "cookie", "localStorage", "sessionStorage", "indexedDB"
    kind: Mapped[str] = mapped_column(String(16), default="cookie")
    category: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(200), default="")
    purpose_nb: Mapped[str] = mapped_column(Text, default="")
    purpose_en: Mapped[str] = mapped_column(Text, default="")
    purpose_nn: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Who last set it, and when (the full trail is in OverrideEvent).
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(150))


class OverrideEvent(Base):
    """One change of an owner's classification: kept after the override itself changes or goes,
    so the admin can say who classified what, when, and what it was before."""

    __tablename__ = "override_events"
    __table_args__ = (Index("ix_override_events_site_created", "site_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    match: Mapped[str] = mapped_column(String(8), default="exact")
    kind: Mapped[str] = mapped_column(String(16), default="cookie")
    # The category before the change ("" for a new override) and after it.
    previous_category: Mapped[str] = mapped_column(String(16), default="")
    category: Mapped[str] = mapped_column(String(16))
    # How many queued items the change covered (a pattern covers several).
    items: Mapped[int] = mapped_column(default=1)
    # The admin's username as it was at the time (users can be removed later).
    username: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class KbEntry(Base):
    """A knowledge-base entry imported by the owner (`consentkit kb import`); above the built-in KB."""

    __tablename__ = "kb_entries"
    __table_args__ = (Index("ix_kb_entries_name", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # "exact", "prefix" or "regex"
    match: Mapped[str] = mapped_column(String(8), default="exact")
    domain: Mapped[str | None] = mapped_column(String(253))
    kind: Mapped[str] = mapped_column(String(16), default="cookie")
    category: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(200), default="")
    purpose_nb: Mapped[str] = mapped_column(Text, default="")
    purpose_en: Mapped[str] = mapped_column(Text, default="")
    lifetime: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


ROLES = ("owner", "viewer")


class User(Base):
    """An administrator who signs in to /admin. An "owner" may change everything; a "viewer" reads
    the admin but cannot change settings or export the consent log (consentkit.admin.roles)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(512))
    role: Mapped[str] = mapped_column(String(16), default="owner")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    sessions: Mapped[list[AdminSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)


class AdminSession(Base):
    """A signed-in admin browser. The cookie holds a random token; only its hash is stored, and
    signing out deletes the row, so a copied cookie stops working at once."""

    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(256), default="")
    client_ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(back_populates="sessions")
