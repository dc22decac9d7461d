"""Run an approved read: policy, the read-only run under caps, JSON-safe cells, the audit trail.

A long verb: it takes the unit-of-work factory and opens a short transaction before the run (the
policy and the target) and one after (the audit event, the error on the draft), so no store
transaction stays open while the target database works.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update

from core.crypto import Cipher
from core.domain.drafts import Draft, DraftStatus
from core.domain.review import ReviewStatus
from core.domain.runs import BLOCKED, MAX_CELL_CHARS, Column, RunResult, json_cell, parse_limit
from core.errors import (
    Conflict,
    ExecutionBlocked,
    Forbidden,
    Hint,
    HintRef,
    InvalidInput,
    QueryFailed,
    SqldraftError,
    TargetUnreachable,
)
from core.introspection.reads import RawRun, run_read
from core.services.audit import record_event
from core.services.connections import target_for
from core.services.drafts import load_draft
from core.services.review import review_policy
from core.services.snapshots import current_snapshot
from core.store import UowFactory
from core.store.models import DraftRow
from core.validation.lex import LexError, split

_RISK_OK = {"none", "low"}
_STALE_AFTER_S = 24 * 3600


@dataclass(slots=True, frozen=True)
class RunCaps:
    """The caps of one run (from settings: SQLDRAFT_RUN_MAX_ROWS, _RUN_TIMEOUT, _RUN_MAX_BYTES)."""

    default_rows: int
    timeout: float
    max_bytes: int
    connect_timeout: float


def run_draft(
    uows: UowFactory,
    draft_id: str,
    principal: str,
    *,
    limit: object,
    now: datetime,
    cipher: Cipher,
    caps: RunCaps,
    default_approvers: str,
) -> RunResult:
    """Run the draft's effective script if it is one validated read the policy lets run.

    Raises:
        InvalidInput: a bad draft id or limit.
        NotFound: unknown draft.
        Conflict: the draft is not completed, or its script is not one validated read.
        ExecutionBlocked: the script writes or changes schema (the attempt is recorded; never run).
        Forbidden: the draft is not approved and the connection does not run unapproved reads.
        TargetUnreachable: the database cannot be reached (the draft and its SQL are unchanged).
        QueryFailed: the database refused or cancelled the read (recorded on the draft for a repair).
    """
    max_rows = parse_limit(limit, default=caps.default_rows)
    with uows() as uow:
        draft = load_draft(uow.session, draft_id)
        sql = (draft.effective_script_text or "").strip()
        validation = _validation_of(draft)
        policy = review_policy(uow, draft.connection, default_approvers=default_approvers)
        try:
            _check_runnable(draft, sql, validation)
            approved = draft.review.get("status") in (ReviewStatus.APPROVED.value, ReviewStatus.EDITED.value)
            if not approved and not policy.run_unapproved_reads:
                raise Forbidden(
                    f"draft {draft.id} is {draft.review.get('status')}, not approved: only an approved read runs "
                    "(unless the connection allows running unapproved reads)"
                )
        except ExecutionBlocked as exc:
            detail = {"reason": str(exc), "statement_types": _types(validation)}
            _record(uow, "run.blocked", principal, draft, detail, now)
            raise
        except (Forbidden, Conflict) as exc:
            _record(uow, "run.denied", principal, draft, {"reason": str(exc)}, now)
            raise
        warnings = _staleness(uow, draft, now)
        target = target_for(
            uow, draft.connection, cipher=cipher, connect_timeout=caps.connect_timeout, statement_timeout=caps.timeout
        ).config
    try:
        raw = run_read(target, sql.rstrip().rstrip(";"), max_rows=max_rows, timeout=caps.timeout)
    except TargetUnreachable as exc:
        with uows() as uow:
            _record(uow, "run.failed", principal, draft, {"error": str(exc), "unreachable": True}, now)
        raise TargetUnreachable(
            f"cannot run draft {draft.id}: {exc}; the draft and its SQL are unchanged"
        ) from None
    except QueryFailed as exc:
        with uows() as uow:
            uow.session.execute(
                update(DraftRow).where(DraftRow.id == draft.id).values(run_error=str(exc), run_error_at=now)
            )
            _record(uow, "run.failed", principal, draft, {"error": str(exc)}, now)
        raise QueryFailed(str(exc), hints=[HintRef(Hint.REPAIR_DRAFT, draft.id)]) from None
    result = _result(draft, sql, raw, max_rows, caps.max_bytes, warnings, approved)
    with uows() as uow:
        _record(
            uow, "run.completed", principal, draft,
            {"elapsed_ms": result.elapsed_ms, "rows": result.row_count, "truncated": result.truncated,
             "truncated_by": result.truncated_by, "limit": max_rows, "approved": approved},
            now,
        )  # fmt: skip
    return result


def _validation_of(draft: Draft) -> dict[str, Any]:
    """The validation of the script that would run: the final script's when it was edited."""
    if draft.review.get("final_script") is not None:
        return dict(draft.review.get("final_validation") or {})
    return dict(draft.validation or {})


def _types(validation: dict[str, Any]) -> list[str]:
    return [str(t) for t in validation.get("statement_types") or []]


def _check_runnable(draft: Draft, sql: str, validation: dict[str, Any]) -> None:
    if draft.status is not DraftStatus.COMPLETED or not sql:
        raise Conflict(f"draft {draft.id} is {draft.status.value}: only a completed draft with a script can run")
    types = _types(validation)
    if not validation or not types:
        raise Conflict(f"draft {draft.id} has no validation of its script, so it cannot run: validate it again")
    if any(t not in ("select",) for t in types):
        raise ExecutionBlocked(f"{BLOCKED} (draft {draft.id}: {', '.join(types)})", sql)
    if len(types) != 1:
        raise Conflict(f"draft {draft.id} holds {len(types)} statements: only a script of one read runs")
    try:
        pieces = split(sql, _dialect(validation, draft))
    except (LexError, InvalidInput):
        pieces = []
    if len(pieces) != 1:
        raise Conflict(f"draft {draft.id}'s script is not exactly one statement, so it cannot run")
    errors = [f for f in validation.get("findings") or [] if f.get("severity") == "error"]
    if errors:
        raise Conflict(f"draft {draft.id}'s script has {len(errors)} error finding(s): fix them before running it")
    risk = validation.get("risk_level") or "none"
    if risk not in _RISK_OK:
        raise Conflict(f"draft {draft.id}'s read has risk {risk}: only a read with risk at most low runs")


def _dialect(validation: dict[str, Any], draft: Draft) -> Any:
    from core.dialects import by_name

    return by_name(str(validation.get("dialect") or "")).dialect


def _staleness(uow: Any, draft: Draft, now: datetime) -> list[str]:
    try:
        _, info = current_snapshot(uow.session, draft.connection)
    except SqldraftError:
        return ["the connection has no snapshot any more: the read was validated against one that is gone"]
    warnings = []
    if draft.snapshot.checksum and draft.snapshot.checksum != info.checksum:
        taken = draft.snapshot.taken_at.strftime("%Y-%m-%d %H:%M UTC") if draft.snapshot.taken_at else "earlier"
        warnings.append(
            f"the draft was validated against an older snapshot (taken {taken}); the schema has changed since"
        )
    age = info.age_seconds(now)
    if age > _STALE_AFTER_S:
        warnings.append(f"the snapshot was last confirmed {age / 3600:.0f} h ago")
    return warnings


def _result(
    draft: Draft, sql: str, raw: RawRun, max_rows: int, max_bytes: int, warnings: list[str], approved: bool
) -> RunResult:
    rows: list[list[Any]] = []
    used = 0
    by_bytes = False
    cell_chars = min(MAX_CELL_CHARS, max_bytes)
    for raw_row in raw.rows:
        row = [json_cell(v, cell_chars) for v in raw_row]
        size = len(json.dumps(row, ensure_ascii=False, default=str).encode("utf-8"))
        if used + size > max_bytes and rows:
            by_bytes = True
            break
        used += size
        rows.append(row)
    truncated_by = "bytes" if by_bytes else ("rows" if raw.more else None)
    return RunResult(
        draft_id=draft.id,
        connection=draft.connection,
        sql=sql,
        columns=[Column(name=n, type=t) for n, t in raw.columns],
        rows=rows,
        truncated=truncated_by is not None,
        truncated_by=truncated_by,
        row_count=len(rows),
        limit=max_rows,
        elapsed_ms=raw.elapsed_ms,
        warnings=warnings + raw.notes,
        approved=approved,
    )


def _record(uow: Any, kind: str, principal: str, draft: Draft, detail: dict[str, Any], now: datetime) -> None:
    record_event(uow.session, kind, principal, draft_id=draft.id, connection=draft.connection, detail=detail, at=now)
    uow.commit()
