"""The examples library: approved drafts become request -> SQL examples for later prompts.

An approved or edited draft becomes an example for its connection, tied to the snapshot checksum it
validated against; a rejection with a note becomes a negative example. Every new snapshot re-validates
the connection's examples: those that no longer validate go stale and stop feeding prompts (and come
back if the schema does).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.domain.examples import ACTIVE, REMOVED, STALE, ExampleInfo
from core.domain.review import Decision
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


def examples_from_decision(
    session: Session, draft_id: str, decision: Decision, principal: str, note: str | None, now: datetime
) -> int | None:
    """Within a review's transaction: the example its decision makes, if any (returns its id)."""
    row = session.get(DraftRow, draft_id)
    if row is None or row.connection_id is None:
        return None
    if decision is Decision.REJECTED and not note:
        return None  # a rejection teaches something only with the reviewer's reason
    sql = (row.final_script or row.effective_script_text or row.generated_script or "").strip()
    if not sql:
        return None
    example = ExampleRow(
        connection_id=row.connection_id,
        draft_id=row.id,
        request_text=row.request_text,
        sql_text=sql,
        mode=row.mode,
        tables=_tables_of(row.impacted_objects or []),
        snapshot_checksum=row.snapshot_checksum,
        status=ACTIVE,
        negative=decision is Decision.REJECTED,
        note=note,
        created_by=principal,
        created_at=now,
    )
    session.add(example)
    session.flush()
    record_event(
        session,
        "example.added",
        principal,
        draft_id=row.id,
        connection=row.connection_name,
        detail={"example_id": example.id, "negative": example.negative},
        at=now,
    )
    return example.id


def withdraw_examples(session: Session, draft_id: str, reason: str, now: datetime) -> list[int]:
    ids = list(
        session.scalars(select(ExampleRow.id).where(ExampleRow.draft_id == draft_id, ExampleRow.status != REMOVED))
    )
    if ids:
        session.execute(
            update(ExampleRow)
            .where(ExampleRow.id.in_(ids))
            .values(status=REMOVED, status_reason=reason, status_changed_at=now)
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
    if status is not None and status not in (ACTIVE, STALE, REMOVED, "all"):
        raise InvalidInput(f"unknown example status {status!r}: use active, stale, removed or all")
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
    conn = find_connection(uow.session, connection)
    row = ExampleRow(
        connection_id=conn.id,
        request_text=request,
        sql_text=sql,
        mode=mode,
        tables=_tables_of([o.to_dict() for o in validation.impacted_objects]),
        snapshot_checksum=checksum,
        status=ACTIVE,
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
        detail={"example_id": row.id},
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
        try:
            errors = validator.validate(row.sql_text, row.mode).errors
        except InvalidInput as exc:
            errors_text = str(exc)
            errors = []
        else:
            errors_text = f"line {errors[0].line}: {errors[0].message}" if errors else ""
        failing = bool(errors) or bool(errors_text)
        if failing and row.status == ACTIVE:
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
        elif not failing:
            if row.status == STALE:
                row.status, row.status_reason, row.status_changed_at = ACTIVE, None, now
                record_event(
                    uow.session,
                    "example.revived",
                    SYSTEM,
                    draft_id=row.draft_id,
                    connection=conn.name,
                    detail={"example_id": row.id, "snapshot": checksum},
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
