"""Typed results of the tools: each tool publishes its output schema, and its text mirrors the structure.

Results are compact: a field that is null, or at its default (an empty list, ``nullable: true``, a
btree index), is left out; the output schema marks every such field optional with its default.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from core.domain.connections import ConnectionProfile
from core.domain.drafts import Draft, DraftStatus
from core.domain.history import HistoryPage, HistoryRow
from core.domain.llm import LlmStatus
from core.domain.review import ReviewRecord
from core.domain.runs import RunResult
from core.domain.schema import Column, ForeignKey, Index, Table
from core.domain.snapshots import RefreshResult, SnapshotInfo
from core.validation.model import Validation

DDL_LIMIT = 20_000
"""describe_table's DDL is cut at this many characters (the columns page through in full)."""


class Compact(BaseModel):
    """A result that leaves out null fields and fields at their default."""

    _defaults: ClassVar[dict[str, Any]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._defaults = {
            name: _jsonable(f.get_default(call_default_factory=True))
            for name, f in cls.model_fields.items()
            if not f.is_required()
        }

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> Any:
        data: dict[str, Any] = handler(self)
        defaults = self._defaults
        return {k: v for k, v in data.items() if v is not None and (k not in defaults or v != defaults[k])}


def _jsonable(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class ConnectionInfo(Compact):
    name: str
    dialect: str
    tables: int | None = Field(
        default=None, description="tables and views in the snapshot in use; absent before the first one"
    )
    snapshot_taken_at: str | None = None
    last_refresh_status: str | None = None
    last_refresh_error: str | None = None
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


class LlmInfo(Compact):
    """Who drafts, as `sqldraft llm status` says it (settings only: no call to the model)."""

    generator: str = Field(description="llm (a model drafts) or offline (simple patterns only; declines the rest)")
    configured: bool = Field(description="false when the LLM settings lack something: see missing")
    summary: str = Field(description="one line, e.g. 'llm: model gpt-4o-mini at api.openai.com'")
    missing: list[str] = Field(default_factory=list, description="settings an operator must set for the model")
    model: str | None = None
    host: str | None = Field(default=None, description="the model endpoint's host (never a key)")

    @classmethod
    def of(cls, s: LlmStatus) -> LlmInfo:
        uses_llm = s.generator == "llm"
        return cls(
            generator=s.generator, configured=s.configured, summary=s.summary, missing=s.missing,
            model=s.model if uses_llm else None, host=s.host if uses_llm else None,
        )  # fmt: skip


class ConnectionList(Compact):
    connections: list[ConnectionInfo]
    llm: LlmInfo = Field(description="who drafts for draft_sql, and what its setup lacks")

    @classmethod
    def of(cls, profiles: Sequence[ConnectionProfile], default_schedule: str, llm: LlmStatus) -> ConnectionList:
        return cls(connections=[ConnectionInfo.of(p, default_schedule) for p in profiles], llm=LlmInfo.of(llm))


class RefreshOutcome(Compact):
    connection: str
    status: str = Field(description="created, changed, unchanged or error")
    tables: int | None = None
    duration_ms: int
    error: str | None = None
    changes: list[str] = Field(
        default_factory=list, description="what changed since the previous snapshot (at most 40 lines)"
    )

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


class TableHit(Compact):
    table: str
    kind: str
    comment: str | None = None
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


class SchemaSearchResult(Compact):
    connection: str
    query: str
    tables: list[TableHit]
    total_matches: int
    next_cursor: str | None = Field(
        default=None, description="pass it back as cursor for the next page; absent on the last"
    )
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


class ColumnInfo(Compact):
    name: str
    type: str
    nullable: bool = True
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


class ForeignKeyInfo(Compact):
    columns: list[str]
    references_table: str
    references_columns: list[str]

    @classmethod
    def of(cls, fk: ForeignKey) -> ForeignKeyInfo:
        return cls(columns=fk.columns, references_table=fk.ref_key, references_columns=fk.ref_columns)


class IndexInfo(Compact):
    name: str
    columns: list[str]
    unique: bool = False
    method: str = Field(
        default="btree", description="access method: btree (left out), hash, gin, gist, brin, fulltext..."
    )
    predicate: str | None = Field(default=None, description="a partial index's WHERE condition")
    include: list[str] = Field(default_factory=list, description="non-key columns the index carries (INCLUDE)")

    @classmethod
    def of(cls, i: Index) -> IndexInfo:
        return cls(
            name=i.name, columns=i.columns, unique=i.unique, method=i.method or "btree", predicate=i.predicate,
            include=i.include or [],
        )  # fmt: skip


class TableDescription(Compact):
    connection: str
    table: str
    kind: str
    comment: str | None = None
    row_estimate: int | None = None
    columns: list[ColumnInfo]
    total_columns: int
    next_cursor: str | None = Field(
        default=None, description="more columns: pass it back as cursor; absent when all are shown"
    )
    primary_key: list[str] = Field(default_factory=list)
    foreign_keys: list[ForeignKeyInfo] = Field(default_factory=list)
    referenced_by: list[str] = Field(
        default_factory=list, description="tables with a foreign key to this one, and views that read it"
    )
    indexes: list[IndexInfo] = Field(default_factory=list)
    ddl: str | None = Field(
        default=None,
        description="with include_ddl: the table as the drafting prompt shows it (first page; cut at 20,000 chars)",
    )

    @classmethod
    def of(
        cls, connection: str, t: Table, refs: list[str], ddl: str | None, *, columns: slice, next_cursor: str | None
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
            ddl=None if columns.start or ddl is None else _cut_ddl(ddl),
        )


def _cut_ddl(ddl: str) -> str:
    return ddl if len(ddl) <= DDL_LIMIT else ddl[:DDL_LIMIT] + "\n-- (cut short: page the columns)"


class FindingInfo(Compact):
    rule: str
    category: str
    severity: str
    message: str
    line: int
    column: int
    suggestion: str | None = None
    risk: str | None = None


class ImpactedInfo(Compact):
    type: str
    name: str
    access: str
    reason: str | None = None


class ValidationOutcome(Compact):
    status: str = Field(description="pass, warn or fail (fail: at least one error finding)")
    risk_level: str = Field(description="none, low, medium, high or critical")
    # the validation result keeps one shape everywhere (DESIGN.md): these three are always present
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


class DraftOutcome(Compact):
    id: str
    connection: str
    request: str
    mode: str
    requester: str
    status: str = Field(description="queued, running, completed, failed, canceled or clarification_needed")
    sql: str | None = Field(default=None, description="the effective script: the reviewer's final script once edited")
    explanation: str | None = None
    assumptions: list[str] = Field(default_factory=list)
    unresolved_questions: list[str] = Field(default_factory=list)
    confidence: float | None = None
    warning: str | None = None
    error: str | None = None
    validation: ValidationOutcome | None = None
    review_status: str
    reviewed_by: str | None = None
    diff: str | None = Field(
        default=None, description="the reviewer's edit as a unified diff, generated.sql -> final.sql"
    )
    attempts: int
    snapshot_taken_at: str | None = None
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
        elif d.status in (DraftStatus.QUEUED, DraftStatus.RUNNING):
            step = f"Still drafting: call get_draft with draft_id {d.id!r} in a few seconds for the result."
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


class SubmitOutcome(Compact):
    """submit_sql's answer: the draft, how its script validated, and where a person was asked to review it."""

    draft_id: str
    connection: str
    mode: str
    validation_status: str | None = Field(default=None, description="pass, warn or fail")
    risk_level: str | None = None
    validation: ValidationOutcome | None = None
    review_status: str
    review_requested_in: str = Field(
        description="the Slack channel the review request goes to, or 'no review channel configured: ...'"
    )
    next_step: str

    @classmethod
    def of(cls, d: Draft) -> SubmitOutcome:
        channel = (d.review_request or {}).get("channel")
        where = (
            f"Slack channel {channel}"
            if channel
            else "no review channel configured: the server's operator sets one with "
            f"`sqldraft connections set {d.connection} --review-channel C123`; until then a person reviews it "
            f"with `sqldraft review {d.id}`"
        )
        return cls(
            draft_id=d.id,
            connection=d.connection,
            mode=d.mode,
            validation_status=d.lint_status,
            risk_level=d.risk_level,
            validation=ValidationOutcome.of(d.validation) if d.validation else None,
            review_status=(d.review or {}).get("status", "pending"),
            review_requested_in=where,
            next_step="A person reviews it before anything runs; get_draft shows the decision. "
            "Submit a corrected script if validation failed.",
        )


class HistoryItem(Compact):
    id: str
    connection: str
    requester: str
    request: str
    mode: str
    created_at: str
    latest_status: str
    attempt_count: int
    last_error_message: str | None = None
    lint_status: str | None = None
    risk_level: str | None = None
    risk_count: int
    review_status: str
    reviewed_by: str | None = None
    last_reviewed_at: str | None = None
    has_final_script: bool

    @classmethod
    def of(cls, row: HistoryRow) -> HistoryItem:
        return cls(**row.to_dict())


class HistoryOutcome(Compact):
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


class ReviewOutcome(Compact):
    draft_id: str
    decision: str
    reviewer: str
    note: str | None = None
    diff: str | None = None
    final_validation: ValidationOutcome | None = None

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


class RunColumn(Compact):
    name: str
    type: str = ""


class RunOutcome(Compact):
    """A read that ran: its columns, its rows (cells JSON-safe; bytes as {type: bytes, hex}), and the caps."""

    draft_id: str
    columns: list[RunColumn]
    rows: list[list[Any]]
    row_count: int
    truncated: bool
    truncated_by: str | None = Field(default=None, description="rows (the row cap) or bytes (the byte cap)")
    elapsed_ms: int
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, r: RunResult) -> RunOutcome:
        return cls(
            draft_id=r.draft_id, columns=[RunColumn(name=c.name, type=c.type) for c in r.columns], rows=r.rows,
            row_count=r.row_count, truncated=r.truncated, truncated_by=r.truncated_by, elapsed_ms=r.elapsed_ms,
            warnings=r.warnings,
        )  # fmt: skip
