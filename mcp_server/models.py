"""Typed results of the tools: each tool publishes its output schema, and its text mirrors the structure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from core.domain.connections import ConnectionProfile
from core.domain.drafts import Draft, DraftStatus
from core.domain.history import HistoryPage, HistoryRow
from core.domain.review import ReviewRecord
from core.domain.schema import Column, ForeignKey, Index, Table
from core.domain.snapshots import RefreshResult, SnapshotInfo
from core.validation.model import Validation

DDL_LIMIT = 20_000
"""describe_table's DDL is cut at this many characters (the columns page through in full)."""


class ConnectionInfo(BaseModel):
    name: str
    dialect: str
    tables: int | None = Field(description="tables and views in the snapshot in use; null before the first one")
    snapshot_taken_at: str | None
    last_refresh_status: str | None
    last_refresh_error: str | None
    refresh_schedule: str

    @classmethod
    def of(cls, p: ConnectionProfile, default_schedule: str) -> ConnectionInfo:
        return cls(
            name=p.name,
            dialect=p.dialect.value,
            tables=p.table_count,
            snapshot_taken_at=p.snapshot_taken_at.isoformat() if p.snapshot_taken_at else None,
            last_refresh_status=p.last_refresh.status if p.last_refresh else None,
            last_refresh_error=p.last_refresh.error if p.last_refresh else None,
            refresh_schedule=str(p.schedule(default_schedule)),
        )


class ConnectionList(BaseModel):
    connections: list[ConnectionInfo]

    @classmethod
    def of(cls, profiles: Sequence[ConnectionProfile], default_schedule: str) -> ConnectionList:
        return cls(connections=[ConnectionInfo.of(p, default_schedule) for p in profiles])


class RefreshOutcome(BaseModel):
    connection: str
    status: str = Field(description="created, changed, unchanged or error")
    tables: int | None
    duration_ms: int
    error: str | None
    changes: list[str] = Field(description="what changed since the previous snapshot (at most 40 lines)")

    @classmethod
    def of(cls, connection: str, result: RefreshResult) -> RefreshOutcome:
        return cls(
            connection=connection,
            status=result.status,
            tables=result.snapshot.table_count if result.snapshot else None,
            duration_ms=result.duration_ms,
            error=result.error,
            changes=result.diff.summary_lines(limit=40) if result.diff else [],
        )


class TableHit(BaseModel):
    table: str
    kind: str
    comment: str | None
    score: float
    reason: str
    columns: list[str] = Field(description="the first 25 column names")
    column_count: int

    @classmethod
    def of(cls, t: Table, score: float, reason: str) -> TableHit:
        return cls(
            table=t.key,
            kind=t.kind.value,
            comment=t.comment,
            score=round(score, 3),
            reason=reason,
            columns=[c.name for c in t.columns[:25]],
            column_count=len(t.columns),
        )


class SchemaSearchResult(BaseModel):
    connection: str
    query: str
    tables: list[TableHit]
    total_matches: int
    next_cursor: str | None = Field(description="pass it back as cursor for the next page; null on the last")
    snapshot_taken_at: str

    @classmethod
    def of(
        cls,
        connection: str,
        query: str,
        info: SnapshotInfo,
        page: Sequence[tuple[Table, float, str]],
        total: int,
        *,
        next_cursor: str | None,
    ) -> SchemaSearchResult:
        """A page of Copilot.search_schema: (table, score, reason) each, of ``total`` matches."""
        return cls(
            connection=connection,
            query=query,
            tables=[TableHit.of(*hit) for hit in page],
            total_matches=total,
            next_cursor=next_cursor,
            snapshot_taken_at=info.last_seen_at.isoformat(),
        )


class ColumnInfo(BaseModel):
    name: str
    type: str
    nullable: bool
    default: str | None = None
    comment: str | None = None
    identity: str | None = None
    generated: str | None = None
    enum_labels: list[str] | None = None

    @classmethod
    def of(cls, c: Column) -> ColumnInfo:
        return cls(
            name=c.name,
            type=c.type,
            nullable=c.nullable,
            default=c.default,
            comment=c.comment,
            identity=c.identity,
            generated=c.generated,
            enum_labels=c.enum_labels,
        )


class ForeignKeyInfo(BaseModel):
    columns: list[str]
    references_table: str
    references_columns: list[str]

    @classmethod
    def of(cls, fk: ForeignKey) -> ForeignKeyInfo:
        return cls(columns=fk.columns, references_table=fk.ref_key, references_columns=fk.ref_columns)


class IndexInfo(BaseModel):
    name: str
    columns: list[str]
    unique: bool

    @classmethod
    def of(cls, i: Index) -> IndexInfo:
        return cls(name=i.name, columns=i.columns, unique=i.unique)


class TableDescription(BaseModel):
    connection: str
    table: str
    kind: str
    comment: str | None
    row_estimate: int | None
    columns: list[ColumnInfo]
    total_columns: int
    next_cursor: str | None = Field(description="more columns: pass it back as cursor; null when all are shown")
    primary_key: list[str]
    foreign_keys: list[ForeignKeyInfo]
    referenced_by: list[str] = Field(description="tables with a foreign key to this one, and views that read it")
    indexes: list[IndexInfo]
    ddl: str | None = Field(
        description="the table as the drafting prompt shows it (first page only; cut at 20,000 characters)"
    )

    @classmethod
    def of(
        cls, connection: str, t: Table, refs: list[str], ddl: str, *, columns: slice, next_cursor: str | None
    ) -> TableDescription:
        """A table as Copilot.describe_table gives it; ``columns`` is the page shown (the DDL comes with the first)."""
        return cls(
            connection=connection,
            table=t.key,
            kind=t.kind.value,
            comment=t.comment,
            row_estimate=t.row_estimate,
            columns=[ColumnInfo.of(c) for c in t.columns[columns]],
            total_columns=len(t.columns),
            next_cursor=next_cursor,
            primary_key=t.primary_key,
            foreign_keys=[ForeignKeyInfo.of(fk) for fk in t.foreign_keys],
            referenced_by=refs[:100],
            indexes=[IndexInfo.of(i) for i in t.indexes[:50]],
            ddl=None if columns.start else _cut_ddl(ddl),
        )


def _cut_ddl(ddl: str) -> str:
    return ddl if len(ddl) <= DDL_LIMIT else ddl[:DDL_LIMIT] + "\n-- (cut short: page the columns)"


class FindingInfo(BaseModel):
    rule: str
    category: str
    severity: str
    message: str
    line: int
    column: int
    suggestion: str | None = None
    risk: str | None = None


class ImpactedInfo(BaseModel):
    type: str
    name: str
    access: str
    reason: str | None = None


class ValidationOutcome(BaseModel):
    status: str = Field(description="pass, warn or fail (fail: at least one error finding)")
    risk_level: str = Field(description="none, low, medium, high or critical")
    statement_types: list[str]
    findings: list[FindingInfo]
    impacted_objects: list[ImpactedInfo]
    dialect: str
    mode: str

    @classmethod
    def of(cls, v: Validation | dict[str, Any]) -> ValidationOutcome:
        d = v.to_dict() if isinstance(v, Validation) else v
        return cls(
            status=d["status"],
            risk_level=d["risk_level"],
            statement_types=d["statement_types"],
            findings=[FindingInfo(**{k: f.get(k) for k in FindingInfo.model_fields}) for f in d["findings"]],
            impacted_objects=[ImpactedInfo(**o) for o in d["impacted_objects"]],
            dialect=d["dialect"],
            mode=d["mode"],
        )


class DraftOutcome(BaseModel):
    id: str
    connection: str
    request: str
    mode: str
    requester: str
    status: str = Field(description="queued, running, completed, failed, canceled or clarification_needed")
    sql: str | None = Field(description="the effective script: the reviewer's final script once edited")
    explanation: str | None
    assumptions: list[str]
    unresolved_questions: list[str]
    confidence: float | None
    warning: str | None
    error: str | None
    validation: ValidationOutcome | None
    review_status: str
    reviewed_by: str | None
    diff: str | None = Field(description="the reviewer's edit as a unified diff, generated.sql -> final.sql")
    attempts: int
    snapshot_taken_at: str | None
    next_step: str

    @classmethod
    def of(cls, d: Draft) -> DraftOutcome:
        review = d.review or {}
        validation = review.get("final_validation") or d.validation
        if d.status is DraftStatus.COMPLETED and review.get("status", "pending") == "pending":
            step = (
                "A person reviews this draft before anything runs (Slack buttons, `sqldraft review`, or "
                "review_draft with a review-scoped token). If you change the SQL, call validate_sql."
            )
        elif d.status is DraftStatus.CLARIFICATION_NEEDED:
            step = "Answer the unresolved questions in a new draft_sql request."
        elif d.status is DraftStatus.FAILED:
            step = "Drafting failed; the error says why. Fix the cause and draft again."
        else:
            step = f"Decision: {review.get('status', 'pending')}."
        return cls(
            id=d.id,
            connection=d.connection,
            request=d.request,
            mode=d.mode,
            requester=d.requester,
            status=d.status.value,
            sql=d.effective_script_text or d.generated_script,
            explanation=d.explanation,
            assumptions=d.assumptions,
            unresolved_questions=d.unresolved_questions,
            confidence=d.confidence,
            warning=d.warning,
            error=d.error_message,
            validation=ValidationOutcome.of(validation) if validation else None,
            review_status=review.get("status", "pending"),
            reviewed_by=review.get("reviewed_by"),
            diff=review.get("diff"),
            attempts=d.attempt_count,
            snapshot_taken_at=d.snapshot_taken_at.isoformat() if d.snapshot_taken_at else None,
            next_step=step,
        )


class HistoryItem(BaseModel):
    id: str
    connection: str
    requester: str
    request: str
    mode: str
    created_at: str
    latest_status: str
    attempt_count: int
    last_error_message: str | None
    lint_status: str | None
    risk_level: str | None
    risk_count: int
    review_status: str
    reviewed_by: str | None
    last_reviewed_at: str | None
    has_final_script: bool

    @classmethod
    def of(cls, row: HistoryRow) -> HistoryItem:
        return cls(**row.to_dict())


class HistoryOutcome(BaseModel):
    items: list[HistoryItem]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: HistoryPage) -> HistoryOutcome:
        return cls(
            items=[HistoryItem.of(r) for r in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
        )


class ReviewOutcome(BaseModel):
    draft_id: str
    decision: str
    reviewer: str
    note: str | None
    diff: str | None
    final_validation: ValidationOutcome | None

    @classmethod
    def of(cls, record: ReviewRecord) -> ReviewOutcome:
        return cls(
            draft_id=record.draft_id,
            decision=record.decision,
            reviewer=record.reviewer,
            note=record.note,
            diff=record.diff,
            final_validation=ValidationOutcome.of(record.validation) if record.validation else None,
        )
