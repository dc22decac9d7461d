"""Audit events as the core reports them."""

from __future__ import annotations

from typing import Any

from core.domain.record import Record, Timestamp


class Event(Record):
    id: int
    at: Timestamp
    principal: str
    kind: str
    draft_id: str | None
    connection: str | None
    detail: dict[str, Any]
