"""Runs: the last database error a run of the draft met (fed to the repair), and when.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, not batch mode: on SQLite a batch copy drops and recreates ``drafts``, and the
# examples, attempts and reviews that reference it (ON DELETE CASCADE) would go with it.


def upgrade() -> None:
    op.add_column("drafts", sa.Column("run_error", sa.Text(), nullable=True))
    op.add_column("drafts", sa.Column("run_error_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for column in ("run_error_at", "run_error"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE drafts DROP COLUMN {column}")  # SQLite 3.35+
        else:
            op.drop_column("drafts", column)
