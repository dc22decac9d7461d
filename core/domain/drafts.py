"""Drafts: a request, the script drafted for it, how it was drafted, and how it validated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from core.domain.record import Record, Timestamp
from core.errors import InvalidInput

MAX_REQUEST_CHARS = 4000
SUBMITTED = "submitted"
"""The generator name of a draft whose SQL was submitted for review rather than generated."""
DRAFT_ID_RE = re.compile(r"^d[a-z2-7]{9}$")


class DraftStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    CLARIFICATION_NEEDED = "clarification_needed"

    @property
    def finished(self) -> bool:
        return self not in (DraftStatus.QUEUED, DraftStatus.RUNNING)


def clean_request(text: str | None) -> str:
    """The request trimmed; blank or over 4,000 characters is refused.

    Raises:
        InvalidInput: blank or too long.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput("the request is blank: say what the SQL should do, e.g. 'orders per customer this month'")
    if len(cleaned) > MAX_REQUEST_CHARS:
        raise InvalidInput(
            f"the request is {len(cleaned):,} characters long; the limit is {MAX_REQUEST_CHARS:,}: shorten it"
        )
    return cleaned


@dataclass(slots=True)
class TableReference:
    """A table retrieval considered for the prompt, and why."""

    table: str
    score: float
    reason: str
    included: bool

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "score": round(self.score, 3), "reason": self.reason, "included": self.included}


class Attempt(Record):
    number: int
    kind: str
    started_at: Timestamp
    latency_ms: int
    prompt_tokens: int
    completion_tokens: int
    model: str | None
    sql: str | None
    lint_status: str | None
    findings: list[dict[str, Any]]
    error: str | None


class SnapshotRef(Record):
    """The snapshot a draft was made against."""

    id: int | None = None
    checksum: str | None = None
    taken_at: Timestamp | None = None


class LlmUsage(Record):
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0


class SlackRef(Record):
    """Where the Slack app shows the draft."""

    channel: str
    ts: str | None = None


class Draft(Record):
    id: str
    connection: str
    request: str
    mode: str
    requester: str
    status: DraftStatus
    generator: str
    created_at: Timestamp
    attempt_count: int = 0
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    error_message: str | None = None
    warning: str | None = None
    generated_script: str | None = None
    effective_script_text: str | None = None
    explanation: str | None = None
    assumptions: list[str] = Field(default_factory=list)
    plan_steps: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    impacted_objects: list[dict[str, Any]] = Field(default_factory=list)
    unresolved_questions: list[str] = Field(default_factory=list)
    confidence: float | None = Field(default=None, serialization_alias="confidence_score")
    references: dict[str, Any] = Field(default_factory=dict)
    validation: dict[str, Any] | None = None
    lint_status: str | None = None
    risk_level: str | None = None
    snapshot: SnapshotRef = Field(default_factory=SnapshotRef)
    llm: LlmUsage = Field(default_factory=LlmUsage)
    slack: SlackRef | None = None
    review: dict[str, Any] = Field(default_factory=dict)
    """Review state: status, reviewer, final script, diff (and the final script's validation)."""
    attempts: list[Attempt] = Field(default_factory=list)
    review_request: dict[str, Any] | None = None
    """Where a review was requested through the outbox (channel, status, attempts), if it was."""
    run_error: str | None = None
    """The database error the last failed run of the script met (what a repair corrects), if any."""

    @property
    def submitted(self) -> bool:
        """The script was given by the requester (``submit_sql``), not generated."""
        return self.generator == SUBMITTED

    @property
    def snapshot_taken_at(self) -> datetime | None:
        return self.snapshot.taken_at

    def snapshot_age_seconds(self, now: datetime) -> float | None:
        if self.snapshot.taken_at is None:
            return None
        return max(0.0, (now - self.snapshot.taken_at).total_seconds())
