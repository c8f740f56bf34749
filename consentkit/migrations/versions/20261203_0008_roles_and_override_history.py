"""admin roles, and who changed which classification when

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 06:00:00

Users existing before roles keep full rights: they become owners.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(length=16), nullable=False, server_default="owner"))
    with op.batch_alter_table("overrides") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("updated_by", sa.String(length=150), nullable=True))
    op.create_table(
        "override_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("match", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("previous_category", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_override_events_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_override_events")),
    )
    op.create_index("ix_override_events_site_created", "override_events", ["site_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_override_events_site_created", table_name="override_events")
    op.drop_table("override_events")
    with op.batch_alter_table("overrides") as batch:
        batch.drop_column("updated_by")
        batch.drop_column("updated_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
