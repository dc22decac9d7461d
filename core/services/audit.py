"""The audit log: every state change is an event with its principal and time, queryable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain.audit import Event
from core.errors import InvalidInput
from core.store import UnitOfWork
from core.store.models import EventRow, utcnow

SYSTEM = "system:sqldraft"


def record_event(
    session: Session,
    kind: str,
    principal: str,
    *,
    draft_id: str | None = None,
    connection: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add an event to the session's transaction (it commits, or rolls back, with the change it records)."""
    session.add(
        EventRow(
            at=at or utcnow(),
            principal=principal,
            kind=kind,
            draft_id=draft_id,
            connection_name=connection,
            detail=detail or {},
        )
    )


def list_events(
    uow: UnitOfWork,
    *,
    draft_id: str | None = None,
    kind: str | None = None,
    principal: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Event]:
    """Audit events, newest first, filtered.

    Raises:
        InvalidInput: a limit outside 1 to 10000.
    """
    if not 1 <= limit <= 10_000:
        raise InvalidInput("limit is out of range: use 1 to 10000")
    session = uow.session
    query = select(EventRow)
    if draft_id:
        query = query.where(EventRow.draft_id == draft_id)
    if kind:
        query = query.where(EventRow.kind.startswith(kind) if kind.endswith(".") else EventRow.kind == kind)
    if principal:
        query = query.where(EventRow.principal == principal)
    if since:
        query = query.where(EventRow.at >= since)
    rows = session.scalars(query.order_by(EventRow.id.desc()).limit(limit)).all()
    return [
        Event(
            id=r.id,
            at=r.at,
            principal=r.principal,
            kind=r.kind,
            draft_id=r.draft_id,
            connection=r.connection_name,
            detail=dict(r.detail or {}),
        )
        for r in reversed(rows)
    ]
