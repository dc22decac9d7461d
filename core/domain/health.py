"""What a health check reports: each check with its latency, pool gauges, and connection freshness."""

from __future__ import annotations

from pydantic import Field

from core.domain.record import Record, Timestamp


class Check(Record):
    """One readiness check: ok or not, why not, and how long it took."""

    name: str
    ok: bool
    latency_ms: float
    detail: str | None = None


class PoolStats(Record):
    """An engine's connection pool: its size, connections checked out, overflow in use, checkouts that waited."""

    engine: str
    kind: str
    size: int | None = None
    checked_out: int | None = None
    overflow: int | None = None
    waits: int = 0
    """Checkouts that found every pooled connection in use (since the process started)."""


class ConnectionFreshness(Record):
    """A connection's last refresh and the age of the snapshot in use."""

    name: str
    last_refresh_at: Timestamp | None = None
    last_refresh_status: str | None = None
    snapshot_age_seconds: int | None = None


class HealthStatus(Record):
    """Readiness: every check passed (``ok``), each check, the pools; ``status`` adds the connections."""

    ok: bool
    checks: list[Check]
    pools: list[PoolStats]
    connections: list[ConnectionFreshness] = Field(default_factory=list)
