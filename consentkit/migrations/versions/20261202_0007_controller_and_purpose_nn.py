"""the site's controller and declaration texts, and nynorsk purposes in overrides

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("controller_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("controller_org_number", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("controller_address", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("controller_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("declaration_texts", sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))
    with op.batch_alter_table("overrides") as batch:
        batch.add_column(sa.Column("purpose_nn", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("overrides") as batch:
        batch.drop_column("purpose_nn")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("declaration_texts")
        batch.drop_column("controller_email")
        batch.drop_column("controller_address")
        batch.drop_column("controller_org_number")
        batch.drop_column("controller_name")
