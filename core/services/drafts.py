"""Drafts in the store: creation, the status machine (conditional updates), attempts, recovery."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.domain.drafts import (
    DRAFT_ID_RE,
    SUBMITTED,
    Attempt,
    Draft,
    DraftStatus,
    LlmUsage,
    SlackRef,
    SnapshotRef,
)
from core.errors import Conflict, Hint, InvalidInput, NotFound
from core.generation.pipeline import AttemptRecord, Outcome
from core.services.audit import SYSTEM, record_event
from core.services.outbox import enqueue_review_request, to_request
from core.store import UnitOfWork
from core.store.models import DraftAttemptRow, DraftRow, OutboxRow, ReviewRow
from core.validation.model import Category, Validation

_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def new_draft_id() -> str:
    return "d" + "".join(secrets.choice(_ALPHABET) for _ in range(9))


def to_draft(row: DraftRow, attempts: list[DraftAttemptRow] | None = None) -> Draft:
    return Draft(
        id=row.id,
        connection=row.connection_name,
        request=row.request_text,
        mode=row.mode,
        requester=row.requester,
        status=DraftStatus(row.status),
        generator=row.generator,
        created_at=row.created_at,
        attempt_count=row.attempt_count,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error_message=row.error_message,
        warning=row.warning,
        generated_script=row.generated_script,
        effective_script_text=row.effective_script_text,
        explanation=row.explanation,
        assumptions=list(row.assumptions or []),
        plan_steps=list(row.plan_steps or []),
        risks=list(row.risks or []),
        impacted_objects=list(row.impacted_objects or []),
        unresolved_questions=list(row.unresolved_questions or []),
        confidence=row.confidence_score,
        references=dict(row.references or {}),
        validation=row.validation,
        lint_status=row.lint_status,
        risk_level=row.risk_level,
        snapshot=SnapshotRef(id=row.snapshot_id, checksum=row.snapshot_checksum, taken_at=row.snapshot_taken_at),
        llm=LlmUsage(
            model=row.llm_model,
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            latency_ms=row.llm_latency_ms,
        ),
        review={
            "status": row.review_status,
            "reviewed_by": row.reviewed_by,
            "last_reviewed_at": row.last_reviewed_at.isoformat() if row.last_reviewed_at else None,
            "final_script": row.final_script,
            "diff": row.edited_script_diff,
        },
        slack=SlackRef(channel=row.slack_channel, ts=row.slack_ts) if row.slack_channel else None,
        run_error=row.run_error,
        attempts=[
            Attempt(
                number=a.number,
                kind=a.kind,
                started_at=a.started_at,
                latency_ms=a.latency_ms,
                prompt_tokens=a.prompt_tokens,
                completion_tokens=a.completion_tokens,
                model=a.model,
                sql=a.sql,
                lint_status=a.lint_status,
                findings=list(a.findings or []),
                error=a.error,
            )
            for a in attempts or []
        ],
    )


def check_draft_id(draft_id: str) -> str:
    value = (draft_id or "").strip().lower()
    if not DRAFT_ID_RE.match(value):
        raise InvalidInput(f"{draft_id[:40]!r} is not a draft id: ids look like d7k3m4x2pq", hints=[Hint.LIST_DRAFTS])
    return value


def find_draft_row(session: Session, draft_id: str) -> DraftRow:
    row = session.get(DraftRow, check_draft_id(draft_id))
    if row is None:
        raise NotFound(f"no draft with id {draft_id!r}", hints=[Hint.LIST_DRAFTS])
    return row


def load_draft(session: Session, draft_id: str) -> Draft:
    row = find_draft_row(session, draft_id)
    attempts = list(
        session.scalars(
            select(DraftAttemptRow).where(DraftAttemptRow.draft_id == row.id).order_by(DraftAttemptRow.number)
        )
    )
    draft = to_draft(row, attempts)
    if row.final_script is not None:
        latest = session.scalars(
            select(ReviewRow.validation)
            .where(ReviewRow.draft_id == row.id, ReviewRow.decision == "edited")
            .order_by(ReviewRow.id.desc())
            .limit(1)
        ).first()
        draft.review["final_validation"] = latest
    requests = review_requests_of(session, row.id)
    if requests:
        draft.review_request = requests[-1]
    return draft


def review_requests_of(session: Session, draft_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(select(OutboxRow).where(OutboxRow.draft_id == draft_id).order_by(OutboxRow.id))
    return [
        to_request(r).model_dump(mode="json", include={"id", "channel", "status", "attempts", "last_error"})
        for r in rows
    ]


def validation_values(validation: Validation) -> dict[str, Any]:
    """The draft columns a validation sets (status, risk, the risk messages, impacted objects)."""
    risks = [f.message for f in validation.findings if f.category is Category.RISK and f.severity.value != "info"]
    return {
        "validation": validation.to_dict(),
        "lint_status": validation.status.value,
        "risk_level": validation.risk_level.value,
        "risk_count": len(risks),
        "risks": risks,
        "impacted_objects": [o.to_dict() for o in validation.impacted_objects],
    }


def create_draft(
    uow: UnitOfWork,
    *,
    connection_id: int,
    connection_name: str,
    snapshot: Any,
    request: str,
    mode: str,
    requester: str,
    generator: str,
    now: datetime,
) -> str:
    row = _new_row(connection_id, connection_name, snapshot, request, mode, requester, generator, now)
    uow.session.add(row)
    record_event(
        uow.session,
        "draft.created",
        requester,
        draft_id=row.id,
        connection=connection_name,
        detail={"mode": mode, "generator": generator, "snapshot_id": snapshot.id},
        at=now,
    )
    uow.commit()
    return row.id


def create_submitted_draft(
    uow: UnitOfWork,
    *,
    connection_id: int,
    connection_name: str,
    snapshot: Any,
    request: str,
    mode: str,
    requester: str,
    sql: str,
    validation: Validation,
    now: datetime,
) -> str:
    """Record a draft whose SQL the requester gave, validated, completed and pending review; returns its id."""
    row = _new_row(connection_id, connection_name, snapshot, request, mode, requester, SUBMITTED, now)
    row.status, row.started_at, row.finished_at = DraftStatus.COMPLETED.value, now, now
    row.generated_script = row.effective_script_text = sql
    for key, value in validation_values(validation).items():
        setattr(row, key, value)
    session = uow.session
    session.add(row)
    detail = {"mode": mode, "generator": SUBMITTED, "snapshot_id": snapshot.id}
    record_event(
        session, "draft.created", requester, draft_id=row.id, connection=connection_name, detail=detail, at=now
    )
    record_event(
        session,
        "draft.submitted",
        requester,
        draft_id=row.id,
        connection=connection_name,
        detail={"lint_status": row.lint_status, "risk_level": row.risk_level, "chars": len(sql)},
        at=now,
    )
    session.flush()
    enqueue_review_request(session, row.id, now=now)
    uow.commit()
    return row.id


def _new_row(
    connection_id: int,
    connection_name: str,
    snapshot: Any,
    request: str,
    mode: str,
    requester: str,
    generator: str,
    now: datetime,
) -> DraftRow:
    return DraftRow(
        id=new_draft_id(),
        connection_id=connection_id,
        connection_name=connection_name,
        snapshot_id=snapshot.id,
        snapshot_checksum=snapshot.checksum,
        snapshot_taken_at=snapshot.last_seen_at,
        request_text=request,
        mode=mode,
        requester=requester,
        request_search=request.lower(),
        status=DraftStatus.QUEUED.value,
        generator=generator,
        attempt_count=0,
        created_at=now,
        updated_at=now,
        assumptions=[],
        plan_steps=[],
        risks=[],
        impacted_objects=[],
        unresolved_questions=[],
        references={},
        risk_count=0,
        prompt_tokens=0,
        completion_tokens=0,
        llm_latency_ms=0,
    )


def start_draft(uow: UnitOfWork, draft_id: str, worker: str, *, now: datetime) -> bool:
    """queued -> running, atomically; False if it is no longer queued (canceled meanwhile)."""
    result = uow.session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id, DraftRow.status == DraftStatus.QUEUED.value)
        .values(status=DraftStatus.RUNNING.value, started_at=now, heartbeat_at=now, worker=worker, updated_at=now)
    )
    uow.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def record_attempt(uow: UnitOfWork, draft_id: str, record: AttemptRecord, *, now: datetime) -> None:
    uow.session.add(
        DraftAttemptRow(
            draft_id=draft_id,
            number=record.number,
            kind=record.kind,
            started_at=record.started_at,
            latency_ms=record.latency_ms,
            prompt_tokens=record.prompt_tokens,
            completion_tokens=record.completion_tokens,
            model=record.model,
            sql=record.sql,
            lint_status=record.lint_status,
            findings=record.findings,
            error=record.error,
        )
    )
    uow.session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id)
        .values(attempt_count=DraftRow.attempt_count + 1, heartbeat_at=now, updated_at=now)
    )
    record_event(
        uow.session,
        "draft.attempt",
        SYSTEM,
        draft_id=draft_id,
        at=now,
        detail={
            "number": record.number,
            "kind": record.kind,
            "lint_status": record.lint_status,
            "error": record.error,
            "latency_ms": record.latency_ms,
        },
    )
    uow.commit()


def is_canceled(uow: UnitOfWork, draft_id: str) -> bool:
    session = uow.session
    return session.scalar(select(DraftRow.status).where(DraftRow.id == draft_id)) == DraftStatus.CANCELED.value


def finish_draft(
    uow: UnitOfWork, draft_id: str, outcome: Outcome, references: dict[str, Any], *, now: datetime
) -> bool:
    """running -> the outcome's status, atomically; False if the draft was canceled meanwhile."""
    values: dict[str, Any] = {
        "status": outcome.status.value,
        "finished_at": now,
        "updated_at": now,
        "error_message": outcome.error,
        "warning": outcome.warning,
        "references": references,
        "llm_model": outcome.model,
        "prompt_tokens": outcome.prompt_tokens,
        "completion_tokens": outcome.completion_tokens,
        "llm_latency_ms": outcome.latency_ms,
    }
    reply = outcome.reply
    if reply is not None:
        values.update(
            run_error=None,
            run_error_at=None,
            generated_script=reply.sql or None,
            effective_script_text=reply.sql or None,
            explanation=reply.explanation or None,
            assumptions=reply.assumptions,
            plan_steps=reply.plan_steps,
            unresolved_questions=reply.unresolved_questions,
            confidence_score=reply.confidence,
        )
    validation = outcome.validation
    if validation is not None:
        values.update(validation_values(validation))
    result = uow.session.execute(
        update(DraftRow).where(DraftRow.id == draft_id, DraftRow.status == DraftStatus.RUNNING.value).values(**values)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        record_event(
            uow.session,
            f"draft.{outcome.status.value}",
            SYSTEM,
            draft_id=draft_id,
            at=now,
            detail={
                "lint_status": values.get("lint_status"),
                "risk_level": values.get("risk_level"),
                "error": outcome.error,
            },
        )
        if outcome.status is DraftStatus.COMPLETED:
            enqueue_review_request(uow.session, draft_id, now=now)
    uow.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def fail_draft(uow: UnitOfWork, draft_id: str, error: str, *, now: datetime) -> None:
    uow.session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id, DraftRow.status.in_([DraftStatus.QUEUED.value, DraftStatus.RUNNING.value]))
        .values(status=DraftStatus.FAILED.value, error_message=error, finished_at=now, updated_at=now)
    )
    record_event(uow.session, "draft.failed", SYSTEM, draft_id=draft_id, at=now, detail={"error": error})
    uow.commit()


def cancel_draft(uow: UnitOfWork, draft_id: str, principal: str, *, now: datetime) -> None:
    """queued or running -> canceled.

    Raises:
        NotFound: unknown id.
        Conflict: the draft has finished already.
    """
    row = find_draft_row(uow.session, draft_id)
    result = uow.session.execute(
        update(DraftRow)
        .where(DraftRow.id == row.id, DraftRow.status.in_([DraftStatus.QUEUED.value, DraftStatus.RUNNING.value]))
        .values(status=DraftStatus.CANCELED.value, finished_at=now, updated_at=now)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        record_event(uow.session, "draft.canceled", principal, draft_id=row.id, connection=row.connection_name, at=now)
    uow.commit()
    if not result.rowcount:  # type: ignore[attr-defined]
        status = uow.session.scalar(select(DraftRow.status).where(DraftRow.id == row.id))
        raise Conflict(f"draft {row.id} is {status}: only a queued or running draft can be canceled")


def requeue_for_retry(uow: UnitOfWork, draft_id: str, principal: str, *, now: datetime) -> None:
    """failed -> queued, keeping its attempts.

    Raises:
        NotFound: unknown id.
        Conflict: the draft did not fail.
    """
    row = find_draft_row(uow.session, draft_id)
    result = uow.session.execute(
        update(DraftRow)
        .where(DraftRow.id == row.id, DraftRow.status == DraftStatus.FAILED.value)
        .values(status=DraftStatus.QUEUED.value, error_message=None, finished_at=None, started_at=None, updated_at=now)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        record_event(uow.session, "draft.retried", principal, draft_id=row.id, connection=row.connection_name, at=now)
    uow.commit()
    if not result.rowcount:  # type: ignore[attr-defined]
        status = uow.session.scalar(select(DraftRow.status).where(DraftRow.id == row.id))
        raise Conflict(f"draft {row.id} is {status}: only a failed draft can be retried")


def requeue_for_repair(uow: UnitOfWork, draft_id: str, principal: str, *, now: datetime) -> None:
    """completed (with a recorded run error) -> queued: the next attempt repairs the script with that error.

    The new script is a new revision: the review goes back to pending, the final script is dropped.

    Raises:
        NotFound: unknown id.
        Conflict: the draft is not completed, or no run of it failed.
    """
    row = find_draft_row(uow.session, draft_id)
    if row.run_error is None:
        raise Conflict(f"draft {row.id} has no failed run to repair from: run it first")
    result = uow.session.execute(
        update(DraftRow)
        .where(DraftRow.id == row.id, DraftRow.status == DraftStatus.COMPLETED.value, DraftRow.run_error.is_not(None))
        .values(
            status=DraftStatus.QUEUED.value, finished_at=None, started_at=None, updated_at=now,
            review_status="pending", reviewed_by=None, final_script=None, edited_script_diff=None,
            has_final_script=False,
        )
    )
    if result.rowcount:  # type: ignore[attr-defined]
        record_event(
            uow.session, "draft.repair", principal, draft_id=row.id, connection=row.connection_name, at=now,
            detail={"run_error": row.run_error},
        )  # fmt: skip
    uow.commit()
    if not result.rowcount:  # type: ignore[attr-defined]
        status = uow.session.scalar(select(DraftRow.status).where(DraftRow.id == row.id))
        raise Conflict(f"draft {row.id} is {status}: only a completed draft can be repaired")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(uow: UnitOfWork, stale_after: timedelta, now: datetime) -> list[str]:
    """Mark drafts that a crashed process left queued or running as failed (retryable); returns their ids.

    A draft is interrupted when its worker was a process on this host that no longer exists, or when
    it has made no progress for ``stale_after`` (any host).
    """
    host = socket.gethostname()
    interrupted: list[str] = []
    rows = uow.session.execute(
        select(DraftRow.id, DraftRow.status, DraftRow.worker, DraftRow.heartbeat_at, DraftRow.created_at).where(
            DraftRow.status.in_([DraftStatus.QUEUED.value, DraftStatus.RUNNING.value])
        )
    ).all()
    for draft_id, status, worker, heartbeat, created in rows:
        last = heartbeat or created
        dead_local = False
        if worker and status == DraftStatus.RUNNING.value:
            whost, _, rest = worker.partition(":")
            pid = rest.split(":", 1)[0]
            dead_local = whost == host and pid.isdigit() and not _pid_alive(int(pid))
        if dead_local or (now - last) > stale_after:
            interrupted.append(draft_id)
    if interrupted:
        uow.session.execute(
            update(DraftRow)
            .where(
                DraftRow.id.in_(interrupted),
                or_(DraftRow.status == DraftStatus.QUEUED.value, DraftRow.status == DraftStatus.RUNNING.value),
            )
            .values(
                status=DraftStatus.FAILED.value,
                finished_at=now,
                updated_at=now,
                error_message="interrupted: the process drafting it stopped before it finished; retry it",
            )
        )
        for draft_id in interrupted:
            record_event(uow.session, "draft.interrupted", SYSTEM, draft_id=draft_id, at=now)
        uow.commit()
    return interrupted
