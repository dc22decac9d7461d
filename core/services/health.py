"""Health verbs: liveness needs nothing; readiness asks the store, its migrations and the scheduler."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import text

from core.domain.health import Check, ConnectionFreshness, HealthStatus, PoolStats
from core.errors import SqldraftError
from core.services.connections import list_connections
from core.store import Store, UnitOfWork


def readiness(store: Store, *, scheduler_alive: Callable[[], bool] | None = None) -> HealthStatus:
    """Is this process ready: the store answers, its schema is at this version's head, the scheduler runs."""
    checks = [_store_check(store)]
    if checks[0].ok:
        checks.append(_migrations_check(store))
    if scheduler_alive is not None:
        start = time.perf_counter()
        alive = scheduler_alive()
        checks.append(_check("scheduler", alive, start, None if alive else "the refresh scheduler is not running"))
    return HealthStatus(ok=all(c.ok for c in checks), checks=checks, pools=[pool_stats(store)])


def pool_stats(store: Store) -> PoolStats:
    """The store engine's pool gauges (SQLAlchemy's QueuePool; other pools report their kind only)."""
    pool = store.engine.pool
    stats = PoolStats(engine="store", kind=type(pool).__name__, waits=store.pool_waits)
    for name, method in (("size", "size"), ("checked_out", "checkedout"), ("overflow", "overflow")):
        read = getattr(pool, method, None)
        if callable(read):
            setattr(stats, name, int(read()))
    return stats


def connection_freshness(uow: UnitOfWork, now: datetime) -> list[ConnectionFreshness]:
    """Each connection's last refresh and the age of its snapshot in use (what ``sqldraft status`` adds)."""
    out = []
    for profile in list_connections(uow):
        last = profile.last_refresh
        taken = profile.snapshot_taken_at
        out.append(
            ConnectionFreshness(
                name=profile.name,
                last_refresh_at=last.at if last else None,
                last_refresh_status=last.status if last else None,
                snapshot_age_seconds=int(max(0.0, (now - taken).total_seconds())) if taken else None,
            )
        )
    return out


def _store_check(store: Store) -> Check:
    start = time.perf_counter()
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver failure is "not ready", said in one line, never a traceback
        return _check("store", False, start, f"cannot reach the store at {store.display_url()}: {_first_line(exc)}")
    return _check("store", True, start)


def _migrations_check(store: Store) -> Check:
    start = time.perf_counter()
    try:
        current, head = store.revisions()
    except SqldraftError as exc:
        return _check("migrations", False, start, str(exc))
    if current != head:
        detail = f"the store is at revision {current or 'none'}, this version at {head}"
        return _check("migrations", False, start, detail)
    return _check("migrations", True, start)


def _check(name: str, ok: bool, start: float, detail: str | None = None) -> Check:
    return Check(name=name, ok=ok, latency_ms=round((time.perf_counter() - start) * 1000, 2), detail=detail)


def _first_line(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
