"""receipt signing keys per site, and a hashed API key for server-to-server requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("sealed_private_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_receipt_keys_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_keys")),
        sa.UniqueConstraint("kid", name=op.f("uq_receipt_keys_kid")),
    )
    with op.batch_alter_table("receipt_keys") as batch:
        batch.create_index(batch.f("ix_receipt_keys_site_id"), ["site_id"], unique=False)
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("api_key_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("api_key_created_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("api_key_created_at")
        batch.drop_column("api_key_hash")
    op.drop_table("receipt_keys")
