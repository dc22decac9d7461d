"""The human decision: approve, reject or edit a draft, atomically, with the whole trail kept."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from core.domain.drafts import DraftStatus
from core.domain.review import MAX_FINAL_SCRIPT, MAX_NOTE, Decision, Principal, ReviewPolicy, ReviewStatus
from core.errors import Conflict, Forbidden, InvalidInput
from core.services.audit import record_event
from core.services.drafts import find_draft_row
from core.services.examples import examples_from_decision, withdraw_examples
from core.store import Store
from core.store.models import DraftRow, ReviewRow, utcnow
from core.validation.model import Validation

Validate = Callable[[str, str], Validation]
"""validate(sql, mode) against the draft's connection."""


@dataclass(slots=True)
class ReviewRecord:
    id: int
    draft_id: str
    decision: str
    reviewer: str
    note: str | None
    final_script: str | None
    diff: str | None
    validation: dict[str, Any] | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "draft_id": self.draft_id,
            "decision": self.decision,
            "reviewer": self.reviewer,
            "note": self.note,
            "final_script": self.final_script,
            "diff": self.diff,
            "validation": self.validation,
            "created_at": self.created_at.isoformat(),
        }


def unified_diff(generated: str, final: str) -> str:
    """The edit as a unified diff, generated.sql -> final.sql."""
    lines = difflib.unified_diff(
        generated.splitlines(keepends=True),
        final.splitlines(keepends=True),
        fromfile="generated.sql",
        tofile="final.sql",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"the note is {len(text):,} characters long; the limit is {MAX_NOTE:,}")
    return text or None


def _clean_final(final_script: str | None) -> str:
    text = (final_script or "").strip()
    if not text:
        raise InvalidInput("an edit needs the final script: it is blank")
    if len(text) > MAX_FINAL_SCRIPT:
        raise InvalidInput(f"the final script is {len(text):,} characters long; the limit is {MAX_FINAL_SCRIPT:,}")
    return text


def _already(row: DraftRow) -> Conflict:
    when = row.last_reviewed_at.strftime("%Y-%m-%d %H:%M UTC") if row.last_reviewed_at else "an earlier time"
    return Conflict(f"draft {row.id} was already {row.review_status} by {row.reviewed_by} at {when}")


def review(
    store: Store,
    draft_id: str,
    decision: Decision | str,
    principal: Principal,
    *,
    note: str | None,
    final_script: str | None,
    policy: ReviewPolicy,
    validate: Validate,
) -> ReviewRecord:
    """Record a decision. Exactly one of several concurrent decisions wins (a conditional UPDATE).

    Raises:
        InvalidInput: unknown decision, blank or over-long final script, over-long note.
        NotFound: unknown draft.
        Conflict: the draft cannot be reviewed in its state, or someone decided first.
        Forbidden: the policy does not let ``principal`` take this decision (the denial is recorded).
    """
    decision = Decision.parse(decision)
    note = _clean_note(note)
    final = _clean_final(final_script) if decision is Decision.EDITED else None
    if decision is not Decision.EDITED and final_script:
        raise InvalidInput("a final script only goes with an edit: use the decision 'edit'")
    with store.session() as session:
        row = find_draft_row(session, draft_id)
        draft_id, status, mode, requester = row.id, row.status, row.mode, row.requester
        generated, connection = row.generated_script or "", row.connection_name
        if row.review_status != ReviewStatus.PENDING.value:
            raise _already(row)
    allowed = {DraftStatus.COMPLETED.value} | (
        {DraftStatus.CLARIFICATION_NEEDED.value} if decision is Decision.REJECTED else set()
    )
    if status not in allowed:
        what = "completed drafts (and, for rejection, ones that need clarification)"
        raise Conflict(f"draft {draft_id} is {status}: only {what} can be reviewed")
    try:
        policy.check(principal, decision, requester=requester, mode=mode)
    except Forbidden as exc:
        with store.uow() as uow:
            record_event(
                uow.session,
                "review.denied",
                principal.id,
                draft_id=draft_id,
                connection=connection,
                detail={"decision": decision.value, "reason": str(exc)},
            )
            uow.commit()
        raise
    diff = validation = None
    if final is not None:
        diff = unified_diff(generated, final)
        validation = validate(final, mode).to_dict()
    now = utcnow()
    with store.uow() as uow:
        session = uow.session
        values: dict[str, Any] = {
            "review_status": decision.value,
            "reviewed_by": principal.id,
            "last_reviewed_at": now,
            "updated_at": now,
        }
        if final is not None:
            values.update(
                final_script=final, edited_script_diff=diff, effective_script_text=final, has_final_script=True
            )
        result = session.execute(
            update(DraftRow)
            .where(
                DraftRow.id == draft_id,
                DraftRow.review_status == ReviewStatus.PENDING.value,
                DraftRow.status.in_(allowed),
            )
            .values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            uow.rollback()
            latest = session.get(DraftRow, draft_id)
            if latest is not None:
                session.refresh(latest)
            if latest is not None and latest.review_status != ReviewStatus.PENDING.value:
                raise _already(latest)
            raise Conflict(f"draft {draft_id} changed while it was being reviewed: look at it again")
        record = ReviewRow(
            draft_id=draft_id,
            decision=decision.value,
            reviewer=principal.id,
            note=note,
            final_script_text=final,
            edited_script_diff=diff,
            validation=validation,
            created_at=now,
        )
        session.add(record)
        record_event(
            session,
            f"review.{decision.value}",
            principal.id,
            draft_id=draft_id,
            connection=connection,
            detail={"note": note, "has_diff": diff is not None},
            at=now,
        )
        examples_from_decision(session, draft_id, decision, principal.id, note, now)
        session.flush()
        out = _to_record(record)
        uow.commit()
    return out


def reopen(
    store: Store, draft_id: str, principal: Principal, *, note: str | None, policy: ReviewPolicy
) -> ReviewRecord:
    """Undo a decision (an approver's explicit, audited act); the examples it made are withdrawn.

    Raises:
        NotFound, Forbidden, Conflict: unknown draft, not an approver, nothing decided.
    """
    note = _clean_note(note)
    with store.session() as session:
        row = find_draft_row(session, draft_id)
        draft_id, connection = row.id, row.connection_name
    if not policy.is_approver(principal):
        with store.uow() as uow:
            record_event(
                uow.session,
                "review.denied",
                principal.id,
                draft_id=draft_id,
                connection=connection,
                detail={"decision": "reopen"},
            )
            uow.commit()
        raise Forbidden(f"{principal.id} may not reopen drafts on this connection: only an approver can")
    now = utcnow()
    with store.uow() as uow:
        session = uow.session
        result = session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft_id, DraftRow.review_status != ReviewStatus.PENDING.value)
            .values(
                review_status=ReviewStatus.PENDING.value,
                reviewed_by=None,
                last_reviewed_at=now,
                updated_at=now,
                final_script=None,
                edited_script_diff=None,
                has_final_script=False,
                effective_script_text=DraftRow.generated_script,
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise Conflict(f"draft {draft_id} has no decision to reopen")
        record = ReviewRow(draft_id=draft_id, decision="reopened", reviewer=principal.id, note=note, created_at=now)
        session.add(record)
        withdrawn = withdraw_examples(session, draft_id, f"decision reopened by {principal.id}", now)
        record_event(
            session,
            "review.reopened",
            principal.id,
            draft_id=draft_id,
            connection=connection,
            detail={"note": note, "examples_withdrawn": withdrawn},
            at=now,
        )
        session.flush()
        out = _to_record(record)
        uow.commit()
    return out


def trail(store: Store, draft_id: str) -> list[ReviewRecord]:
    with store.session() as session:
        rows = session.scalars(select(ReviewRow).where(ReviewRow.draft_id == draft_id).order_by(ReviewRow.id)).all()
        return [_to_record(r) for r in rows]


def _to_record(row: ReviewRow) -> ReviewRecord:
    return ReviewRecord(
        id=row.id,
        draft_id=row.draft_id,
        decision=row.decision,
        reviewer=row.reviewer,
        note=row.note,
        final_script=row.final_script_text,
        diff=row.edited_script_diff,
        validation=row.validation,
        created_at=row.created_at,
    )
