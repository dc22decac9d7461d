"""The examples library: approved drafts become request -> SQL examples for later prompts.

An approved or edited draft becomes an example candidate for its connection, tied to the snapshot
checksum it validated against. It is active (feeds prompts) only if its final script validated with no
error finding and, for a query, with risk at most low, and its approval was no override; otherwise it is
kept as ``rejected-by-policy`` with the reason. A rejection with a note becomes a negative example.
Every new snapshot re-validates the connection's examples: those that no longer validate go stale and
stop feeding prompts (and come back if the schema does).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.domain.examples import ACTIVE, REJECTED_BY_POLICY, REMOVED, STALE, STATUSES, ExampleInfo
from core.domain.review import Decision, ScriptFacts, risk_rank
from core.errors import Hint, InvalidInput, NotFound
from core.generation.examples import Example
from core.generation.text import terms
from core.services.audit import SYSTEM, record_event
from core.services.connections import find_connection
from core.store import UnitOfWork
from core.store.models import ConnectionRow, DraftRow, ExampleRow
from core.validation.engine import Validator


def _tables_of(impacted: list[dict[str, Any]]) -> list[str]:
    return sorted({o["name"] for o in impacted if o.get("type") in ("table", "view")})


MAX_QUERY_EXAMPLE_RISK = "low"


def example_rejection(validation: dict[str, Any] | None, mode: str, *, overridden: bool = False) -> str | None:
    """Why a script validated as ``validation`` may not be an active example (None: it may).

    >>> example_rejection({"status": "pass", "risk_level": "none", "findings": []}, "query")
    >>> example_rejection({"status": "warn", "risk_level": "high", "findings": []}, "query")
    'it is a query with high risk (an example query may carry at most low risk)'
    """
    if overridden:
        return "its approval was an override: overridden approvals never become examples"
    facts = ScriptFacts.of(validation)
    if facts.errors or facts.status == "fail":
        first = next((f for f in (validation or {}).get("findings") or [] if f.get("severity") == "error"), None)
        where = f"; first: line {first.get('line')}: {first.get('message')}" if first else ""
        return f"its final script failed validation ({facts.errors} error finding(s){where})"
    if mode == "query" and risk_rank(facts.risk_level) > risk_rank(MAX_QUERY_EXAMPLE_RISK):
        return (
            f"it is a query with {facts.risk_level} risk (an example query may carry at most "
            f"{MAX_QUERY_EXAMPLE_RISK} risk)"
        )
    return None


def examples_from_decision(
    session: Session,
    draft_id: str,
    decision: Decision,
    principal: str,
    note: str | None,
    now: datetime,
    *,
    validation: dict[str, Any] | None,
    overridden: bool = False,
) -> int | None:
    """Within a review's transaction: the example candidate its decision makes, if any (returns its id).

    ``validation`` is that of the script decided on (the final script for an edit). A candidate that
    fails :func:`example_rejection` is kept as ``rejected-by-policy`` with the reason, never active.
    """
    row = session.get(DraftRow, draft_id)
    if row is None or row.connection_id is None:
        return None
    if decision is Decision.REJECTED and not note:
        return None  # a rejection teaches something only with the reviewer's reason
    sql = (row.final_script or row.effective_script_text or row.generated_script or "").strip()
    if not sql:
        return None
    negative = decision is Decision.REJECTED
    checksum = (validation or {}).get("snapshot_checksum") or row.snapshot_checksum
    rejection = None if negative else example_rejection(validation, row.mode, overridden=overridden)
    if negative:
        reason = f"rejected by {principal} with a note: an example of what not to do"
    elif rejection is None:
        facts = ScriptFacts.of(validation)
        reason = (
            f"validated {facts.status} with risk {facts.risk_level} against snapshot {(checksum or '?')[:12]}; "
            f"{decision.value} by {principal}"
        )
    else:
        reason = rejection
    tables = _tables_of((validation or {}).get("impacted_objects") or row.impacted_objects or [])
    example = ExampleRow(
        connection_id=row.connection_id,
        draft_id=row.id,
        request_text=row.request_text,
        sql_text=sql,
        mode=row.mode,
        tables=tables,
        snapshot_checksum=checksum,
        status=ACTIVE if rejection is None else REJECTED_BY_POLICY,
        status_reason=reason,
        status_changed_at=now,
        negative=negative,
        note=note,
        created_by=principal,
        created_at=now,
    )
    session.add(example)
    session.flush()
    record_event(
        session,
        "example.added" if rejection is None else "example.rejected",
        principal,
        draft_id=row.id,
        connection=row.connection_name,
        detail={"example_id": example.id, "negative": example.negative, "status": example.status, "reason": reason},
        at=now,
    )
    return example.id


def withdraw_examples(session: Session, draft_id: str, principal: str, reason: str, now: datetime) -> list[int]:
    """Within a transaction: remove the examples a draft's decision made (each an ``example.removed`` event)."""
    rows = session.execute(
        select(ExampleRow.id, ExampleRow.status).where(ExampleRow.draft_id == draft_id, ExampleRow.status != REMOVED)
    ).all()
    ids = [r.id for r in rows]
    if ids:
        session.execute(
            update(ExampleRow)
            .where(ExampleRow.id.in_(ids))
            .values(status=REMOVED, status_reason=reason, status_changed_at=now)
        )
        connection = session.scalar(select(DraftRow.connection_name).where(DraftRow.id == draft_id))
        for example_id, was in rows:
            record_event(
                session,
                "example.removed",
                principal,
                draft_id=draft_id,
                connection=connection,
                detail={"example_id": example_id, "was": was, "reason": reason},
                at=now,
            )
    return ids


def _info(row: ExampleRow, connection: str) -> ExampleInfo:
    return ExampleInfo(
        id=row.id,
        connection=connection,
        request=row.request_text,
        sql=row.sql_text,
        mode=row.mode,
        tables=list(row.tables or []),
        status=row.status,
        negative=row.negative,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
        draft_id=row.draft_id,
        snapshot_checksum=row.snapshot_checksum,
        status_reason=row.status_reason,
    )


def list_examples(uow: UnitOfWork, connection: str | None = None, status: str | None = None) -> list[ExampleInfo]:
    if status is not None and status not in (*STATUSES, "all"):
        raise InvalidInput(f"unknown example status {status!r}: use {', '.join(STATUSES)} or all")
    session = uow.session
    query = select(ExampleRow, ConnectionRow.name).join(ConnectionRow, ConnectionRow.id == ExampleRow.connection_id)
    if connection:
        query = query.where(ExampleRow.connection_id == find_connection(session, connection).id)
    if status != "all":
        query = query.where(ExampleRow.status == (status or ACTIVE))
    return [_info(row, name) for row, name in session.execute(query.order_by(ExampleRow.id))]


def add_example(
    uow: UnitOfWork,
    connection: str,
    request: str,
    sql: str,
    *,
    mode: str,
    principal: str,
    negative: bool,
    note: str | None,
    validator: Validator,
    checksum: str,
    now: datetime,
) -> ExampleInfo:
    """Curate an example by hand; a positive example must validate against the snapshot in use.

    Raises:
        InvalidInput: blank request or SQL, or SQL with error findings (listed).
    """
    request, sql = (request or "").strip(), (sql or "").strip()
    if not request or not sql:
        raise InvalidInput("an example needs a request and its SQL")
    validation = validator.validate(sql, mode)
    if validation.errors and not negative:
        first = validation.errors[0]
        raise InvalidInput(
            f"the example's SQL does not validate ({len(validation.errors)} error(s); first: line "
            f"{first.line}: {first.message}): fix it, or add it as a negative example"
        )
    rejection = None if negative else example_rejection(validation.to_dict(), mode)
    if rejection is not None:
        raise InvalidInput(f"the example cannot be active: {rejection}; add it as a negative example instead")
    conn = find_connection(uow.session, connection)
    row = ExampleRow(
        connection_id=conn.id,
        request_text=request,
        sql_text=sql,
        mode=mode,
        tables=_tables_of([o.to_dict() for o in validation.impacted_objects]),
        snapshot_checksum=checksum,
        status=ACTIVE,
        status_reason=f"added by hand by {principal}" + (" (what not to do)" if negative else ""),
        status_changed_at=now,
        negative=negative,
        note=note,
        created_by=principal,
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    record_event(
        uow.session,
        "example.added",
        principal,
        connection=conn.name,
        detail={"example_id": row.id, "negative": negative, "by_hand": True},
        at=now,
    )
    info = _info(row, conn.name)
    uow.commit()
    return info


def remove_example(uow: UnitOfWork, example_id: int, principal: str, *, now: datetime) -> ExampleInfo:
    row = uow.session.get(ExampleRow, example_id)
    if row is None or row.status == REMOVED:
        raise NotFound(f"no example with id {example_id}", hints=[Hint.LIST_EXAMPLES])
    conn = uow.session.get(ConnectionRow, row.connection_id)
    row.status, row.status_reason, row.status_changed_at = REMOVED, f"removed by {principal}", now
    record_event(
        uow.session,
        "example.removed",
        principal,
        connection=conn.name if conn else None,
        detail={"example_id": row.id, "reason": row.status_reason},
        at=now,
    )
    info = _info(row, conn.name if conn else "")
    uow.commit()
    return info


def revalidate_examples(
    uow: UnitOfWork, connection: str, validator: Validator, checksum: str, *, now: datetime
) -> tuple[list[ExampleInfo], list[ExampleInfo]]:
    """After a new snapshot: examples that no longer validate go stale; stale ones that do are active again."""
    went_stale, revived = [], []
    conn = find_connection(uow.session, connection)
    rows = uow.session.scalars(
        select(ExampleRow).where(
            ExampleRow.connection_id == conn.id,
            ExampleRow.status.in_([ACTIVE, STALE]),
            ExampleRow.negative.is_(False),
        )
    ).all()
    for row in rows:
        risky = None
        try:
            validation = validator.validate(row.sql_text, row.mode)
        except InvalidInput as exc:
            errors_text = str(exc)
        else:
            errors = validation.errors
            errors_text = f"line {errors[0].line}: {errors[0].message}" if errors else ""
            risky = None if errors else example_rejection(validation.to_dict(), row.mode)
        if errors_text and row.status == ACTIVE:
            row.status, row.status_reason, row.status_changed_at = STALE, errors_text, now
            record_event(
                uow.session,
                "example.stale",
                SYSTEM,
                draft_id=row.draft_id,
                connection=conn.name,
                detail={"example_id": row.id, "reason": errors_text, "snapshot": checksum},
                at=now,
            )
            went_stale.append(_info(row, conn.name))
        elif risky is not None:  # validates, but no longer within what an example may carry
            row.status, row.status_reason, row.status_changed_at = REJECTED_BY_POLICY, risky, now
            record_event(
                uow.session,
                "example.rejected",
                SYSTEM,
                draft_id=row.draft_id,
                connection=conn.name,
                detail={"example_id": row.id, "reason": risky, "snapshot": checksum},
                at=now,
            )
        elif not errors_text:
            if row.status == STALE:
                reason = f"validates again against snapshot {checksum[:12]}"
                row.status, row.status_reason, row.status_changed_at = ACTIVE, reason, now
                record_event(
                    uow.session,
                    "example.revived",
                    SYSTEM,
                    draft_id=row.draft_id,
                    connection=conn.name,
                    detail={"example_id": row.id, "snapshot": checksum, "reason": reason},
                    at=now,
                )
                revived.append(_info(row, conn.name))
            row.snapshot_checksum = checksum
    uow.commit()
    return went_stale, revived


def relevant_examples(uow: UnitOfWork, connection: str, request: str, limit: int) -> list[Example]:
    """Relevant active examples for a request: lexical similarity of the requests (and their tables)."""
    session = uow.session
    conn = session.scalars(select(ConnectionRow.id).where(ConnectionRow.name == connection)).first()
    if conn is None:
        return []
    rows = session.scalars(
        select(ExampleRow).where(ExampleRow.connection_id == conn, ExampleRow.status == ACTIVE)
    ).all()
    candidates = [(r.id, r.request_text, r.sql_text, list(r.tables or []), r.negative, r.note) for r in rows]
    if not candidates:
        return []
    query = Counter(terms(request))
    docs = [Counter(terms(text + " " + " ".join(tables))) for _, text, _, tables, _, _ in candidates]
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    scored = []
    for (eid, text, sql, tables, negative, note), doc in zip(candidates, docs, strict=True):
        score = sum(math.log(1 + n / df[t]) * min(q, doc[t]) for t, q in query.items() if t in doc)
        norm = math.sqrt(sum(doc.values()) or 1)
        if score > 0:
            scored.append(
                Example(id=eid, request=text, sql=sql, tables=tables, negative=negative, note=note, score=score / norm)
            )
    scored.sort(key=lambda e: (-e.score, e.id))
    positives = [e for e in scored if not e.negative][:limit]
    negatives = [e for e in scored if e.negative][:1]
    return positives + negatives
