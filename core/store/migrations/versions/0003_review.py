"""Review state on drafts, the review trail, the examples library, the audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DRAFT_INDEXES = {
    "ix_drafts_status_created": ["status", "created_at"],
    "ix_drafts_review_created": ["review_status", "created_at"],
    "ix_drafts_requester_created": ["requester", "created_at"],
    "ix_drafts_lint_created": ["lint_status", "created_at"],
    "ix_drafts_risk_created": ["risk_level", "created_at"],
    "ix_drafts_final_created": ["has_final_script", "created_at"],
    "ix_drafts_last_reviewed": ["last_reviewed_at"],
    "ix_drafts_risk_count": ["risk_count", "created_at"],
}


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("review_status", sa.String(12), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("reviewed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("last_reviewed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("final_script", sa.Text(), nullable=True))
        batch.add_column(sa.Column("edited_script_diff", sa.Text(), nullable=True))
        batch.add_column(sa.Column("has_final_script", sa.Boolean(), nullable=False, server_default=sa.false()))
    for name, columns in _DRAFT_INDEXES.items():
        op.create_index(name, "drafts", columns)
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.String(16), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("final_script_text", sa.Text(), nullable=True),
        sa.Column("edited_script_diff", sa.Text(), nullable=True),
        sa.Column("validation", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_reviews_draft_id", "reviews", ["draft_id", "id"])
    op.create_table(
        "examples",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connection_id", sa.Integer(), sa.ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("draft_id", sa.String(16), sa.ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True),
        sa.Column("request_text", sa.Text(), nullable=False),
        sa.Column("sql_text", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("snapshot_checksum", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("negative", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_examples_connection_status", "examples", ["connection_id", "status"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.String(16), nullable=True),
        sa.Column("connection_name", sa.String(63), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_draft_id", "events", ["draft_id", "id"])
    op.create_index("ix_events_kind_at", "events", ["kind", "at"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("examples")
    op.drop_table("reviews")
    for name in _DRAFT_INDEXES:
        op.drop_index(name, "drafts")
    with op.batch_alter_table("drafts") as batch:
        for column in ("has_final_script", "edited_script_diff", "final_script", "last_reviewed_at", "reviewed_by",
                       "review_status"):
            batch.drop_column(column)
