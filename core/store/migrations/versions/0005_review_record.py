"""The review is the record: overrides on reviews, the review-request outbox, examples rejected by policy.

Existing examples whose draft's final script failed validation (an error finding) or, for a query,
carried risk above low are marked ``rejected-by-policy`` (kept, not deleted), each with an audit event.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from datetime import UTC, datetime
from typing import Any

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The example rule as it is at this revision (kept literal: a migration must not change when the code does).
_RISK_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
_REJECTED = "rejected-by-policy"


def _rejection(validation: dict[str, Any] | None, mode: str | None) -> str | None:
    """Why an example from a draft validated as ``validation`` may not be active (None: it may)."""
    if not validation:
        return None  # no stored validation to judge by: left as it was
    errors = [f for f in validation.get("findings") or [] if f.get("severity") == "error"]
    if errors or validation.get("status") == "fail":
        first = errors[0] if errors else {}
        return (
            f"its script failed validation ({len(errors)} error finding(s)"
            + (f"; first: line {first.get('line')}: {first.get('message')}" if first else "")
            + ")"
        )
    risk = validation.get("risk_level") or "none"
    if mode == "query" and _RISK_RANK.get(risk, 4) > _RISK_RANK["low"]:
        return f"it is a query with risk {risk} (an example query may carry at most low risk)"
    return None


def upgrade() -> None:
    with op.batch_alter_table("examples") as batch:
        batch.alter_column("status", existing_type=sa.String(10), type_=sa.String(20), existing_nullable=False)
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("override", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.String(16), sa.ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("connection_name", sa.String(63), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
    )
    op.create_index("ux_outbox_kind_draft", "outbox", ["kind", "draft_id"], unique=True)
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at", "id"])
    _reject_bad_examples()


def _reject_bad_examples() -> None:
    bind = op.get_bind()
    examples = sa.table(
        "examples", sa.column("id", sa.Integer()), sa.column("draft_id", sa.String()), sa.column("mode", sa.String()),
        sa.column("status", sa.String()), sa.column("negative", sa.Boolean()), sa.column("status_reason", sa.Text()),
        sa.column("status_changed_at", sa.DateTime()),
    )
    drafts = sa.table(
        "drafts", sa.column("id", sa.String()), sa.column("validation", sa.JSON()),
        sa.column("final_script", sa.Text()), sa.column("connection_name", sa.String()),
    )
    reviews = sa.table(
        "reviews", sa.column("id", sa.Integer()), sa.column("draft_id", sa.String()),
        sa.column("decision", sa.String()), sa.column("validation", sa.JSON()),
    )
    events = sa.table(
        "events", sa.column("at", sa.DateTime()), sa.column("principal", sa.String()), sa.column("kind", sa.String()),
        sa.column("draft_id", sa.String()), sa.column("connection_name", sa.String()), sa.column("detail", sa.JSON()),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = bind.execute(
        sa.select(examples.c.id, examples.c.draft_id, examples.c.mode, drafts.c.validation, drafts.c.final_script,
                  drafts.c.connection_name)
        .join(drafts, drafts.c.id == examples.c.draft_id)
        .where(examples.c.status.in_(["active", "stale"]), examples.c.negative.is_(False))
    ).all()
    for example_id, draft_id, mode, validation, final_script, connection in rows:
        if final_script is not None:  # an edit: its final script's validation is on the latest edit review
            validation = bind.execute(
                sa.select(reviews.c.validation)
                .where(reviews.c.draft_id == draft_id, reviews.c.decision == "edited")
                .order_by(reviews.c.id.desc())
                .limit(1)
            ).scalar()
        reason = _rejection(validation, mode)
        if reason is None:
            continue
        bind.execute(
            sa.update(examples)
            .where(examples.c.id == example_id)
            .values(status=_REJECTED, status_reason=reason, status_changed_at=now)
        )
        bind.execute(
            sa.insert(events).values(
                at=now, principal="system:sqldraft", kind="example.rejected", draft_id=draft_id,
                connection_name=connection,
                detail={"example_id": example_id, "reason": reason, "by": "migration 0005"},
            )
        )


def downgrade() -> None:
    op.execute(f"UPDATE examples SET status = 'removed' WHERE status = '{_REJECTED}'")
    op.drop_index("ix_outbox_status_next", "outbox")
    op.drop_index("ux_outbox_kind_draft", "outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("override")
    with op.batch_alter_table("examples") as batch:
        batch.alter_column("status", existing_type=sa.String(20), type_=sa.String(10), existing_nullable=False)
