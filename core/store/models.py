"""SQLAlchemy models of the metadata store. Migrations in ``migrations/versions`` create them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.engine import Dialect as SADialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps naive UTC text)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: SADialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: SADialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class ConnectionRow(Base):
    __tablename__ = "connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    dialect: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)
    credential: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    current_snapshot_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_refresh_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_refresh_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_refresh_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_refresh_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SnapshotRow(Base):
    __tablename__ = "snapshots"
    __table_args__ = (Index("ix_snapshots_connection_id_id", "connection_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    checksum: Mapped[str] = mapped_column(String(64))
    dialect: Mapped[str] = mapped_column(String(20))
    server_version: Mapped[str] = mapped_column(String(200), default="")
    table_count: Mapped[int] = mapped_column(Integer, default=0)
    schema_blob: Mapped[bytes] = mapped_column(LargeBinary)
    """zlib-compressed canonical JSON."""
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Row estimates by table key, refreshed in place by unchanged refreshes."""


class RefreshRow(Base):
    __tablename__ = "refreshes"
    __table_args__ = (Index("ix_refreshes_connection_id_id", "connection_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    snapshot_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)


class LeaseRow(Base):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


def _history_indexes() -> dict[str, tuple[str, ...]]:
    """Indexes that answer every history filter with every sort key from the index alone.

    Each low-selectivity filter gets one index per sort key (filter, sort key, created_at, id); the
    sort keys get one each; requester is selective enough for one. Shared with migration 0003.
    """
    sort_keys = {
        "created": ("created_at",),
        "reviewed": ("last_reviewed_at", "created_at"),
        "riskcount": ("risk_count", "created_at"),
    }
    filters = {
        "conn": "connection_id",
        "status": "status",
        "review": "review_status",
        "lint": "lint_status",
        "risk": "risk_level",
        "final": "has_final_script",
    }
    out: dict[str, tuple[str, ...]] = {}
    for sname, skey in sort_keys.items():
        out[f"ix_drafts_{sname}"] = (*skey, "id")
        for fname, column in filters.items():
            out[f"ix_drafts_{fname}_{sname}"] = (column, *skey, "id")
    out["ix_drafts_requester_created"] = ("requester", "created_at", "id")
    return out


DRAFT_INDEXES = _history_indexes()


class DraftRow(Base):
    __tablename__ = "drafts"
    __table_args__ = tuple(Index(name, *columns) for name, columns in DRAFT_INDEXES.items())

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connections.id", ondelete="SET NULL"), nullable=True)
    connection_name: Mapped[str] = mapped_column(String(63))
    snapshot_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    snapshot_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    snapshot_taken_at: Mapped[datetime | None] = mapped_column(nullable=True)
    request_text: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(10))
    requester: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24))
    generator: Mapped[str] = mapped_column(String(20))
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    warning: Mapped[str | None] = mapped_column(Text, nullable=True)
    generated_script: Mapped[str | None] = mapped_column(Text, nullable=True)
    effective_script_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    assumptions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    plan_steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    risks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    impacted_objects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unresolved_questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    confidence_score: Mapped[float | None] = mapped_column(nullable=True)
    references: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    validation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    lint_status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    risk_level: Mapped[str | None] = mapped_column(String(10), nullable=True)
    risk_count: Mapped[int] = mapped_column(Integer, default=0)
    llm_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    llm_latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    slack_channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    slack_ts: Mapped[str | None] = mapped_column(String(64), nullable=True)
    review_status: Mapped[str] = mapped_column(String(12), default="pending")
    reviewed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    final_script: Mapped[str | None] = mapped_column(Text, nullable=True)
    edited_script_diff: Mapped[str | None] = mapped_column(Text, nullable=True)
    has_final_script: Mapped[bool] = mapped_column(Boolean, default=False)
    request_search: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The request in lower case (Unicode-aware), for the history's text filter."""
    run_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The database error the last failed run met (one line), which a repair feeds to the generator."""
    run_error_at: Mapped[datetime | None] = mapped_column(nullable=True)


class DraftAttemptRow(Base):
    __tablename__ = "draft_attempts"
    __table_args__ = (Index("ix_draft_attempts_draft_id", "draft_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    """generate, repair or retry."""
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sql: Mapped[str | None] = mapped_column(Text, nullable=True)
    lint_status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReviewRow(Base):
    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_draft_id", "draft_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(12))
    """approved, rejected, edited or reopened."""
    reviewer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    final_script_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    edited_script_diff: Mapped[str | None] = mapped_column(Text, nullable=True)
    validation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    """The approval needed, and got, an explicit override with a note (a failing or critical script)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExampleRow(Base):
    __tablename__ = "examples"
    __table_args__ = (Index("ix_examples_connection_status", "connection_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True)
    request_text: Mapped[str] = mapped_column(Text)
    sql_text: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(10), default="query")
    tables: Mapped[list[Any]] = mapped_column(JSON, default=list)
    snapshot_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    """active, stale (no longer validates against the snapshot), rejected-by-policy or removed."""
    negative: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_at", "at"),
        Index("ix_events_draft_id", "draft_id", "id"),
        Index("ix_events_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    principal: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    draft_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    connection_name: Mapped[str | None] = mapped_column(String(63), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BindingRow(Base):
    """A place in an adapter (a Slack channel) bound to its default connection."""

    __tablename__ = "bindings"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxRow(Base):
    """A message an adapter must deliver (a review request to a Slack channel), claimed by one worker at a time.

    Pending entries are claimed with a conditional UPDATE (``claimed_by`` empty or its claim expired),
    delivered once (``status`` delivered), or retried with backoff (``attempts``, ``next_attempt_at``).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ux_outbox_kind_draft", "kind", "draft_id", unique=True),
        Index("ix_outbox_status_next", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    connection_name: Mapped[str] = mapped_column(String(63))
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    """pending, delivered or dead (gave up after the last attempt)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SeenRequestRow(Base):
    """A signed request (or a Slack delivery) already handled: a replay or retry of it is not handled again."""

    __tablename__ = "seen_requests"
    __table_args__ = (Index("ix_seen_requests_seen_at", "seen_at"),)

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column()


class RateEventRow(Base):
    """One counted use of a rate-limited action (draft, run, validate); old rows are pruned."""

    __tablename__ = "rate_events"
    __table_args__ = (
        Index("ix_rate_events_action_at", "action", "at"),
        Index("ix_rate_events_principal", "action", "principal", "at"),
        Index("ix_rate_events_connection", "action", "connection_name", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(20))
    principal: Mapped[str] = mapped_column(String(200))
    connection_name: Mapped[str] = mapped_column(String(63))
    at: Mapped[datetime] = mapped_column()
