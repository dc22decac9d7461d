"""Snapshots as the core reports them: the snapshot in use and the outcome of a refresh."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import PlainSerializer, computed_field

from core.domain.diff import SchemaDiff
from core.domain.record import Record, Timestamp
from core.domain.schema import Dialect

DiffField = Annotated[SchemaDiff, PlainSerializer(lambda d: d.to_dict(), return_type=dict[str, Any])]


class SnapshotInfo(Record):
    id: int
    connection: str
    taken_at: Timestamp
    last_seen_at: Timestamp
    checksum: str
    dialect: Dialect
    server_version: str
    table_count: int

    def age_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.last_seen_at).total_seconds())


class RefreshResult(Record):
    connection: str
    status: str
    """``created`` (first snapshot), ``changed``, ``unchanged``, ``error`` or ``skipped``."""
    trigger: str
    duration_ms: int = 0
    error: str | None = None
    reason: str | None = None
    """Why a scheduled refresh was ``skipped`` (the status the scheduler gets when nothing was due)."""
    snapshot: SnapshotInfo | None = None
    diff: DiffField | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.status != "error"
