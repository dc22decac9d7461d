"""Examples (approved drafts and hand-added pairs) as the core reports them."""

from __future__ import annotations

from core.domain.record import Record, Timestamp

ACTIVE, STALE, REMOVED = "active", "stale", "removed"


class ExampleInfo(Record):
    id: int
    connection: str
    request: str
    sql: str
    mode: str
    tables: list[str]
    status: str
    negative: bool
    note: str | None
    created_by: str
    created_at: Timestamp
    draft_id: str | None
    snapshot_checksum: str | None
    status_reason: str | None
