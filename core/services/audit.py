"""The audit log: every state change is an event with its principal and time, queryable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.store.models import EventRow, utcnow

SYSTEM = "system:sqldraft"


@dataclass(slots=True)
class Event:
    id: int
    at: datetime
    principal: str
    kind: str
    draft_id: str | None
    connection: str | None
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "principal": self.principal,
            "kind": self.kind,
            "draft_id": self.draft_id,
            "connection": self.connection,
            "detail": self.detail,
        }


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
    session: Session,
    *,
    draft_id: str | None = None,
    kind: str | None = None,
    principal: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Event]:
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
        Event(r.id, r.at, r.principal, r.kind, r.draft_id, r.connection_name, dict(r.detail or {}))
        for r in reversed(rows)
    ]
