"""Operations at team scale: signed requests already seen (replay and retry dedup), rate-limit counters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_requests",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_seen_requests_seen_at", "seen_requests", ["seen_at"])
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("connection_name", sa.String(63), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_rate_events_action_at", "rate_events", ["action", "at"])
    op.create_index("ix_rate_events_principal", "rate_events", ["action", "principal", "at"])
    op.create_index("ix_rate_events_connection", "rate_events", ["action", "connection_name", "at"])


def downgrade() -> None:
    op.drop_table("rate_events")
    op.drop_table("seen_requests")
