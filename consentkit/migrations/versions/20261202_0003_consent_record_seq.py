"""number each consent ID's records, one history per ID; the banner's key of each record

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:00:00

A consent ID's records get `seq` 1, 2, 3 … in the order they were written, and a unique index on
(site_id, consent_id, seq) replaces the plain (site_id, consent_id, created_at) index: an append
that presents the receipt of record n inserts n + 1, and the index refuses a second n + 1. The
history query walks the same index. Existing rows are numbered by (created_at, id).
`record_key` holds a digest of the random ID the banner gives each record, so that a retry of a
committed record is recognised.
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NUMBERED = """
UPDATE consent_records SET seq = (
    SELECT COUNT(*) FROM consent_records AS earlier
    WHERE earlier.site_id = consent_records.site_id
      AND earlier.consent_id = consent_records.consent_id
      AND (earlier.created_at < consent_records.created_at
           OR (earlier.created_at = consent_records.created_at AND earlier.id <= consent_records.id)))
"""


def upgrade() -> None:
    with op.batch_alter_table("consent_records") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("record_key", sa.String(length=32), nullable=True))
    op.execute(NUMBERED)
    with op.batch_alter_table("consent_records") as batch:
        batch.alter_column("seq", server_default=None)
        batch.drop_index("ix_consent_records_site_consent_id")
        batch.create_index("uq_consent_records_site_consent_seq", ["site_id", "consent_id", "seq"],
                           unique=True)


def downgrade() -> None:
    with op.batch_alter_table("consent_records") as batch:
        batch.drop_index("uq_consent_records_site_consent_seq")
        batch.create_index("ix_consent_records_site_consent_id",
                           ["site_id", "consent_id", "created_at"])
        batch.drop_column("record_key")
        batch.drop_column("seq")
