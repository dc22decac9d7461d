"""Drafts and their attempts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("connection_id", sa.Integer(), sa.ForeignKey("connections.id", ondelete="SET NULL"), nullable=True),
        sa.Column("connection_name", sa.String(63), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_checksum", sa.String(64), nullable=True),
        sa.Column("snapshot_taken_at", sa.DateTime(), nullable=True),
        sa.Column("request_text", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("requester", sa.String(200), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("generator", sa.String(20), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("warning", sa.Text(), nullable=True),
        sa.Column("generated_script", sa.Text(), nullable=True),
        sa.Column("effective_script_text", sa.Text(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("assumptions", sa.JSON(), nullable=False),
        sa.Column("plan_steps", sa.JSON(), nullable=False),
        sa.Column("risks", sa.JSON(), nullable=False),
        sa.Column("impacted_objects", sa.JSON(), nullable=False),
        sa.Column("unresolved_questions", sa.JSON(), nullable=False),
        sa.Column("confidence_score", sa.Float(), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("validation", sa.JSON(), nullable=True),
        sa.Column("lint_status", sa.String(10), nullable=True),
        sa.Column("risk_level", sa.String(10), nullable=True),
        sa.Column("risk_count", sa.Integer(), nullable=False),
        sa.Column("llm_model", sa.String(200), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("llm_latency_ms", sa.Integer(), nullable=False),
        sa.Column("slack_channel", sa.String(64), nullable=True),
        sa.Column("slack_ts", sa.String(64), nullable=True),
    )
    op.create_index("ix_drafts_created_at", "drafts", ["created_at"])
    op.create_index("ix_drafts_connection_created", "drafts", ["connection_id", "created_at"])
    op.create_index("ix_drafts_status", "drafts", ["status"])
    op.create_table(
        "draft_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.String(16), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("sql", sa.Text(), nullable=True),
        sa.Column("lint_status", sa.String(10), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_draft_attempts_draft_id", "draft_attempts", ["draft_id", "number"])


def downgrade() -> None:
    op.drop_index("ix_draft_attempts_draft_id", "draft_attempts")
    op.drop_table("draft_attempts")
    op.drop_index("ix_drafts_status", "drafts")
    op.drop_index("ix_drafts_connection_created", "drafts")
    op.drop_index("ix_drafts_created_at", "drafts")
    op.drop_table("drafts")
