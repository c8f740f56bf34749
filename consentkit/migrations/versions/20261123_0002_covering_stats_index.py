"""covering index for consent statistics on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:10:00

The per-day statistics read method and the three category choices of every record in a date
range; with them INCLUDEd in the (site_id, created_at, id) index, PostgreSQL answers from the
index alone (an index-only scan) instead of visiting every heap row. SQLite has no INCLUDE and
keeps the plain index.
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["site_id", "created_at", "id"]
INCLUDE = ["method", "functional", "analytics", "marketing"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_consent_records_site_created", table_name="consent_records")
    op.create_index("ix_consent_records_site_created", "consent_records", COLUMNS,
                    postgresql_include=INCLUDE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_consent_records_site_created", table_name="consent_records")
    op.create_index("ix_consent_records_site_created", "consent_records", COLUMNS)
