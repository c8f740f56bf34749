"""scans as jobs on a task queue; scheduled rescans, notifications and per-scan diffs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:00:00

`jobs` holds the state of each queued scan (the queue itself, Huey, carries only its id) and
`workers` the heartbeat of each running worker. A scan row names the job that ran it and keeps
what changed since the previous scan of its origin. Sites get their rescan schedule and where
notifications go; existing sites are not rescanned and notify no one.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("urls", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_jobs_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.create_index("ix_jobs_site_created", ["site_id", "created_at"], unique=False)
        batch.create_index("ix_jobs_status_heartbeat", ["status", "heartbeat_at"], unique=False)

    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("diff", sa.JSON(), nullable=True))
        batch.create_index(batch.f("ix_scans_job_id"), ["job_id"], unique=False)
        batch.create_foreign_key(batch.f("fk_scans_job_id_jobs"), "jobs", ["job_id"], ["id"],
                                 ondelete="SET NULL")

    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("rescan", sa.String(length=16), nullable=False, server_default="off"))
        batch.add_column(sa.Column("notify_emails", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("webhook_url", sa.String(length=2048), nullable=True))
        batch.add_column(sa.Column("webhook_key_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("sites") as batch:
        batch.alter_column("rescan", server_default=None)
        batch.alter_column("notify_emails", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("webhook_key_id")
        batch.drop_column("webhook_url")
        batch.drop_column("notify_emails")
        batch.drop_column("rescan")
    with op.batch_alter_table("scans") as batch:
        batch.drop_constraint(batch.f("fk_scans_job_id_jobs"), type_="foreignkey")
        batch.drop_index(batch.f("ix_scans_job_id"))
        batch.drop_column("diff")
        batch.drop_column("job_id")
    op.drop_table("jobs")
    op.drop_table("workers")
