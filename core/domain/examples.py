"""Examples (approved drafts and hand-added pairs) as the core reports them."""

from __future__ import annotations

from core.domain.record import Record, Timestamp

ACTIVE, STALE, REMOVED = "active", "stale", "removed"
REJECTED_BY_POLICY = "rejected-by-policy"
"""A candidate kept for the record that never feeds prompts (a failing, risky or overridden script)."""
STATUSES = (ACTIVE, STALE, REJECTED_BY_POLICY, REMOVED)


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
