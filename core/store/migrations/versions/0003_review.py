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

# The history indexes as they are in core.store.models.DRAFT_INDEXES at this revision (kept literal:
# a migration must not change when the models do).
_SORT_KEYS = {"created": ("created_at",), "reviewed": ("last_reviewed_at", "created_at"),
              "riskcount": ("risk_count", "created_at")}
_FILTERS = {"conn": "connection_id", "status": "status", "review": "review_status", "lint": "lint_status",
            "risk": "risk_level", "final": "has_final_script"}
_DRAFT_INDEXES = {}
for _s, _key in _SORT_KEYS.items():
    _DRAFT_INDEXES[f"ix_drafts_{_s}"] = [*_key, "id"]
    for _f, _col in _FILTERS.items():
        _DRAFT_INDEXES[f"ix_drafts_{_f}_{_s}"] = [_col, *_key, "id"]
_DRAFT_INDEXES["ix_drafts_requester_created"] = ["requester", "created_at", "id"]
_OLD_INDEXES = {"ix_drafts_created_at": ["created_at"], "ix_drafts_connection_created": ["connection_id", "created_at"],
                "ix_drafts_status": ["status"]}


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("review_status", sa.String(12), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("reviewed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("last_reviewed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("final_script", sa.Text(), nullable=True))
        batch.add_column(sa.Column("edited_script_diff", sa.Text(), nullable=True))
        batch.add_column(sa.Column("has_final_script", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("request_search", sa.Text(), nullable=True))
    op.execute("UPDATE drafts SET request_search = lower(request_text)")
    for name in _OLD_INDEXES:
        op.drop_index(name, "drafts")
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, columns in _DRAFT_INDEXES.items():
        if postgres and "last_reviewed_at" in columns:
            # undecided drafts sort as the oldest (SQLite's NULL order): the index must say so
            spec = ", ".join(f"{c} NULLS FIRST" if c == "last_reviewed_at" else c for c in columns)
            op.execute(f"CREATE INDEX {name} ON drafts ({spec})")
        else:
            op.create_index(name, "drafts", columns)
    if postgres:
        _trigram_index()
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


def _trigram_index() -> None:
    """History's text filter (ILIKE '%word%') reads a trigram index where pg_trgm can be installed.

    pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where it cannot
    be created, the filter still works, by scanning.
    """
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        bind.exec_driver_sql("CREATE INDEX ix_drafts_request_trgm ON drafts USING gin (request_search gin_trgm_ops)")
    except sa.exc.DBAPIError:
        savepoint.rollback()
    else:
        savepoint.commit()


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_drafts_request_trgm")
    op.drop_table("events")
    op.drop_table("examples")
    op.drop_table("reviews")
    for name in _DRAFT_INDEXES:
        op.drop_index(name, "drafts")
    for name, columns in _OLD_INDEXES.items():
        op.create_index(name, "drafts", columns)
    with op.batch_alter_table("drafts") as batch:
        for column in ("request_search", "has_final_script", "edited_script_diff", "final_script", "last_reviewed_at", "reviewed_by",
                       "review_status"):
            batch.drop_column(column)
