"""Drafts: a request, the script drafted for it, how it was drafted, and how it validated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.errors import InvalidInput

MAX_REQUEST_CHARS = 4000
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


@dataclass(slots=True)
class Attempt:
    number: int
    kind: str
    started_at: datetime
    latency_ms: int
    prompt_tokens: int
    completion_tokens: int
    model: str | None
    sql: str | None
    lint_status: str | None
    findings: list[dict[str, Any]]
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "started_at": self.started_at.isoformat(),
            "latency_ms": self.latency_ms,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "model": self.model,
            "sql": self.sql,
            "lint_status": self.lint_status,
            "findings": self.findings,
            "error": self.error,
        }


@dataclass(slots=True)
class Draft:
    id: str
    connection: str
    request: str
    mode: str
    requester: str
    status: DraftStatus
    generator: str
    created_at: datetime
    attempt_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error_message: str | None = None
    warning: str | None = None
    generated_script: str | None = None
    effective_script_text: str | None = None
    explanation: str | None = None
    assumptions: list[str] = field(default_factory=list)
    plan_steps: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    impacted_objects: list[dict[str, Any]] = field(default_factory=list)
    unresolved_questions: list[str] = field(default_factory=list)
    confidence: float | None = None
    references: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] | None = None
    lint_status: str | None = None
    risk_level: str | None = None
    snapshot_id: int | None = None
    snapshot_checksum: str | None = None
    snapshot_taken_at: datetime | None = None
    llm_model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_latency_ms: int = 0
    slack_channel: str | None = None
    slack_ts: str | None = None
    review: dict[str, Any] = field(default_factory=dict)
    """Review state (added by the review feature): status, reviewer, final script, diff."""
    attempts: list[Attempt] = field(default_factory=list)

    def snapshot_age_seconds(self, now: datetime) -> float | None:
        if self.snapshot_taken_at is None:
            return None
        return max(0.0, (now - self.snapshot_taken_at).total_seconds())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "connection": self.connection,
            "request": self.request,
            "mode": self.mode,
            "requester": self.requester,
            "status": self.status.value,
            "generator": self.generator,
            "created_at": self.created_at.isoformat(),
            "attempt_count": self.attempt_count,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "error_message": self.error_message,
            "warning": self.warning,
            "generated_script": self.generated_script,
            "effective_script_text": self.effective_script_text,
            "explanation": self.explanation,
            "assumptions": self.assumptions,
            "plan_steps": self.plan_steps,
            "risks": self.risks,
            "impacted_objects": self.impacted_objects,
            "unresolved_questions": self.unresolved_questions,
            "confidence_score": self.confidence,
            "references": self.references,
            "validation": self.validation,
            "lint_status": self.lint_status,
            "risk_level": self.risk_level,
            "snapshot": {
                "id": self.snapshot_id,
                "checksum": self.snapshot_checksum,
                "taken_at": self.snapshot_taken_at.isoformat() if self.snapshot_taken_at else None,
            },
            "llm": {
                "model": self.llm_model,
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "latency_ms": self.llm_latency_ms,
            },
            "slack": {"channel": self.slack_channel, "ts": self.slack_ts} if self.slack_channel else None,
            "review": self.review,
            "attempts": [a.to_dict() for a in self.attempts],
        }
