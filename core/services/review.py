"""The human decision: approve, reject or edit a draft, atomically, with the whole trail kept."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from core.domain.connections import ConnectionOptions
from core.domain.drafts import DraftStatus
from core.domain.review import (
    MAX_FINAL_SCRIPT,
    MAX_NOTE,
    Decision,
    OverrideRequired,
    Principal,
    ReviewPolicy,
    ReviewRecord,
    ReviewStatus,
    ScriptFacts,
    parse_principals,
)
from core.errors import Conflict, Forbidden, InvalidEdit, InvalidInput, SqldraftError
from core.services.audit import record_event
from core.services.drafts import find_draft_row
from core.services.examples import examples_from_decision, withdraw_examples
from core.store import UnitOfWork
from core.store.models import ConnectionRow, DraftRow, ReviewRow
from core.validation.model import Severity, Validation

Validate = Callable[[str, str], Validation]
"""validate(sql, mode) against the draft's connection."""


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


def refuse_invalid_edit(checked: Validation, allow_invalid: bool) -> None:
    """An edit with error findings is saved only when the reviewer says so (the same rule everywhere).

    Raises:
        InvalidEdit: the edit has error findings and ``allow_invalid`` is false.
    """
    errors = [f for f in checked.findings if f.severity is Severity.ERROR]
    if not errors or allow_invalid:
        return
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise InvalidEdit(
        f"the edited script has {len(errors)} error finding(s): line {first.line}: {first.message}{more}",
        [f.to_dict() for f in errors],
    )


def _already(row: DraftRow) -> Conflict:
    when = row.last_reviewed_at.strftime("%Y-%m-%d %H:%M UTC") if row.last_reviewed_at else "an earlier time"
    return Conflict(f"draft {row.id} was already {row.review_status} by {row.reviewed_by} at {when}")


def review(
    uow: UnitOfWork,
    draft_id: str,
    decision: Decision | str,
    principal: Principal,
    *,
    note: str | None,
    final_script: str | None,
    policy: ReviewPolicy,
    validate: Validate,
    now: datetime,
    allow_invalid: bool = False,
    override: bool = False,
) -> ReviewRecord:
    """Record a decision. Exactly one of several concurrent decisions wins (a conditional UPDATE).

    The policy judges the script decided on (the edit's final script, else the draft's) by its
    validation. ``override`` (or, for an edit, ``allow_invalid``) is the explicit choice to approve a
    script that failed validation or has critical risk; it needs a note, and is recorded in the trail
    (the review row and a ``review.override`` event). Overridden approvals never become examples.

    Raises:
        InvalidInput: unknown decision, blank or over-long final script, over-long note, an override
            without a note.
        NotFound: unknown draft.
        Conflict: the draft cannot be reviewed in its state, or someone decided first.
        Forbidden: the policy does not let ``principal`` take this decision (the denial is recorded);
            OverrideRequired when only an override with a note would.
        InvalidEdit: an edit with error findings without ``allow_invalid`` or ``override``.
    """
    decision = Decision.parse(decision)
    note = _clean_note(note)
    final = _clean_final(final_script) if decision is Decision.EDITED else None
    if decision is not Decision.EDITED and final_script:
        raise InvalidInput("a final script only goes with an edit: use the decision 'edit'")
    override = override or (allow_invalid and decision is Decision.EDITED)
    session = uow.session
    row = find_draft_row(session, draft_id)
    draft_id, status, mode, requester = row.id, row.status, row.mode, row.requester
    generated, connection, stored = row.generated_script or "", row.connection_name, row.validation
    if row.review_status != ReviewStatus.PENDING.value:
        raise _already(row)
    uow.rollback()  # end the read: validating an edit may open the store again (the snapshot tools)
    allowed = {DraftStatus.COMPLETED.value} | (
        {DraftStatus.CLARIFICATION_NEEDED.value} if decision is Decision.REJECTED else set()
    )
    if status not in allowed:
        what = "completed drafts (and, for rejection, ones that need clarification)"
        raise Conflict(f"draft {draft_id} is {status}: only {what} can be reviewed")

    def denied(exc: SqldraftError) -> SqldraftError:
        detail = {"decision": decision.value, "reason": str(exc), "override": override}
        record_event(uow.session, "review.denied", principal.id, draft_id=draft_id, connection=connection,
                     detail=detail, at=now)  # fmt: skip
        uow.commit()
        return exc

    try:
        policy.check_reviewer(principal, decision, requester=requester)
    except Forbidden as exc:
        raise denied(exc) from None
    diff = validation = checked = None
    if final is not None:
        diff = unified_diff(generated, final)
        checked = validate(final, mode)
        validation = checked.to_dict()
    script = ScriptFacts.of(validation if final is not None else stored)
    try:
        overridden = policy.check(
            principal, decision, requester=requester, mode=mode, script=script, override=override, note=note
        )
    except OverrideRequired as exc:
        if checked is not None:
            refuse_invalid_edit(checked, override)  # an edit with errors names them (InvalidEdit)
        raise denied(exc) from None
    except (Forbidden, InvalidInput) as exc:
        raise denied(exc) from None
    if checked is not None:
        refuse_invalid_edit(checked, override)
    session = uow.session
    values: dict[str, Any] = {
        "review_status": decision.value,
        "reviewed_by": principal.id,
        "last_reviewed_at": now,
        "updated_at": now,
    }
    if final is not None:
        values.update(final_script=final, edited_script_diff=diff, effective_script_text=final, has_final_script=True)
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
        override=overridden,
        created_at=now,
    )
    session.add(record)
    if overridden:
        record_event(
            session,
            "review.override",
            principal.id,
            draft_id=draft_id,
            connection=connection,
            detail={
                "decision": decision.value,
                "reason": note,
                "overrode": script.override_reasons,
                "lint_status": script.status,
                "risk_level": script.risk_level,
            },
            at=now,
        )
    record_event(
        session,
        f"review.{decision.value}",
        principal.id,
        draft_id=draft_id,
        connection=connection,
        detail={"note": note, "has_diff": diff is not None, "override": overridden},
        at=now,
    )
    examples_from_decision(
        session, draft_id, decision, principal.id, note, now,
        validation=validation if final is not None else stored, overridden=overridden,
    )  # fmt: skip
    session.flush()
    out = _to_record(record)
    uow.commit()
    return out


def reopen(
    uow: UnitOfWork, draft_id: str, principal: Principal, *, note: str | None, policy: ReviewPolicy, now: datetime
) -> ReviewRecord:
    """Undo a decision (an approver's explicit, audited act); the examples it made are withdrawn.

    Raises:
        NotFound, Forbidden, Conflict: unknown draft, not an approver, nothing decided.
    """
    note = _clean_note(note)
    session = uow.session
    row = find_draft_row(session, draft_id)
    draft_id, connection = row.id, row.connection_name
    if not policy.is_approver(principal):
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
    withdrawn = withdraw_examples(session, draft_id, principal.id, f"decision reopened by {principal.id}", now)
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


def trail(uow: UnitOfWork, draft_id: str) -> list[ReviewRecord]:
    session = uow.session
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
        override=bool(row.override),
    )


def review_policy(uow: UnitOfWork, connection: str, *, default_approvers: str) -> ReviewPolicy:
    """The connection's approvers (or the configured default), its four-eyes and its override settings.

    Defaults: four-eyes on every script that writes (``allow_self_approval`` no); overrides with a
    note allowed (``allow_override`` yes).
    """
    row = uow.session.scalars(select(ConnectionRow).where(ConnectionRow.name == connection)).first()
    extra = ConnectionOptions.from_dict(row.options).extra if row is not None else {}
    approvers = extra.get("approvers") or parse_principals(default_approvers)
    return ReviewPolicy(
        approvers=list(approvers),
        allow_self_approval=bool(extra.get("allow_self_approval", False)),
        allow_override=bool(extra.get("allow_override", True)),
        run_unapproved_reads=bool(extra.get("run_unapproved_reads", False)),
    )
