"""Snapshots: introspect a connection, store it when its checksum changes, diff it against the last."""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from datetime import datetime
from typing import Any

from cachetools import LRUCache
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.domain.diff import SchemaDiff, diff_schemas
from core.domain.schema import Dialect, SchemaModel
from core.domain.snapshots import RefreshResult, SnapshotInfo
from core.errors import InvalidInput, NoSnapshot, NotFound, SqldraftError
from core.incidents import report_incident
from core.introspection import Progress, introspect, no_progress
from core.introspection.targets import TargetConfig, connect, explain_error
from core.services.connections import current_snapshot_rows, find_connection, to_profile
from core.store import Clock, UnitOfWork, UowFactory
from core.store.models import ConnectionRow, RefreshRow, SnapshotRow

log = logging.getLogger(__name__)


def _info(row: SnapshotRow, connection: str) -> SnapshotInfo:
    return SnapshotInfo(
        id=row.id,
        connection=connection,
        taken_at=row.taken_at,
        last_seen_at=row.last_seen_at,
        checksum=row.checksum,
        dialect=Dialect(row.dialect),
        server_version=row.server_version,
        table_count=row.table_count,
    )


def encode_schema(canonical_json: str) -> bytes:
    return zlib.compress(canonical_json.encode("utf-8"), 3)


def decode_schema(blob: bytes, stats: dict[str, int] | None) -> SchemaModel:
    return SchemaModel.from_canonical(json.loads(zlib.decompress(blob)), stats)


class SnapshotCache:
    """Parsed schema models by snapshot id (a bounded LRU: snapshots are immutable, stats aside)."""

    def __init__(self, size: int = 8) -> None:
        self._items: LRUCache[int, tuple[str, SchemaModel]] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, snapshot_id: int, stats_key: str) -> SchemaModel | None:
        with self._lock:
            item = self._items.get(snapshot_id)
        return item[1] if item is not None and item[0] == stats_key else None

    def put(self, snapshot_id: int, stats_key: str, model: SchemaModel) -> None:
        with self._lock:
            self._items[snapshot_id] = (stats_key, model)


def load_schema(
    session: Session, snapshot_id: int, cache: SnapshotCache | None = None, *, stats_key: str | None = None
) -> SchemaModel:
    """The snapshot's schema model; with a cache and the snapshot's ``stats_key`` (its last_seen_at), a cached
    model is returned without reading the compressed blob."""
    if cache is not None and stats_key is not None:
        hit = cache.get(snapshot_id, stats_key)
        if hit is not None:
            return hit
    row = session.execute(
        select(SnapshotRow.schema_blob, SnapshotRow.stats, SnapshotRow.last_seen_at).where(
            SnapshotRow.id == snapshot_id
        )
    ).first()
    if row is None:
        raise NotFound(f"snapshot {snapshot_id} does not exist")
    stats_key = row.last_seen_at.isoformat()
    if cache is not None:
        hit = cache.get(snapshot_id, stats_key)
        if hit is not None:
            return hit
    model = decode_schema(row.schema_blob, row.stats)
    if cache is not None:
        cache.put(snapshot_id, stats_key, model)
    return model


def current_snapshot(session: Session, name: str) -> tuple[ConnectionRow, SnapshotInfo]:
    """The connection and the snapshot in use.

    Raises:
        NotFound: unknown connection, or no snapshot yet (a NoSnapshot, hinting to take one).
    """
    conn = find_connection(session, name)
    if conn.current_snapshot_id is None:
        raise NoSnapshot(
            f"connection {name!r} has no snapshot yet"
            + (f" (the last refresh failed: {conn.last_refresh_error})" if conn.last_refresh_error else ""),
            name,
        )
    row = session.get(SnapshotRow, conn.current_snapshot_id)
    assert row is not None
    return conn, _info(row, conn.name)


def list_snapshots(uow: UnitOfWork, name: str) -> list[SnapshotInfo]:
    session = uow.session
    conn = find_connection(session, name)
    rows = session.scalars(
        select(SnapshotRow).where(SnapshotRow.connection_id == conn.id).order_by(SnapshotRow.id.desc())
    ).all()
    return [_info(r, conn.name) for r in rows]


def recent_refreshes(session: Session, connection_id: int, limit: int = 5) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(RefreshRow).where(RefreshRow.connection_id == connection_id).order_by(RefreshRow.id.desc()).limit(limit)
    ).all()
    return [
        {
            "at": r.started_at.isoformat(),
            "status": r.status,
            "trigger": r.trigger,
            "error": r.error,
            "duration_ms": r.duration_ms,
            "snapshot_id": r.snapshot_id,
        }
        for r in rows
    ]


def diff_snapshots(
    uow: UnitOfWork, name: str, old_id: int | None, new_id: int | None, cache: SnapshotCache | None = None
) -> tuple[SnapshotInfo | None, SnapshotInfo, SchemaDiff]:
    """Diff two snapshots of a connection (default: the one before the current, and the current)."""
    session = uow.session
    conn = find_connection(session, name)
    ids = list(
        session.scalars(
            select(SnapshotRow.id).where(SnapshotRow.connection_id == conn.id).order_by(SnapshotRow.id.desc())
        )
    )
    if not ids:
        raise NoSnapshot(f"connection {name!r} has no snapshot yet", name)
    for given in (old_id, new_id):
        if given is not None and given not in ids:
            raise InvalidInput(
                f"snapshot {given} is not a snapshot of {name!r}; its snapshots are {', '.join(map(str, ids[:20]))}"
            )
    new_id = new_id if new_id is not None else (conn.current_snapshot_id or ids[0])
    if old_id is None:
        older = [i for i in ids if i < new_id]
        old_id = older[0] if older else None
    new_row = session.get(SnapshotRow, new_id)
    assert new_row is not None
    new_model = load_schema(session, new_id, cache)
    if old_id is None:
        return None, _info(new_row, conn.name), diff_schemas(SchemaModel(dialect=new_model.dialect), new_model)
    old_row = session.get(SnapshotRow, old_id)
    assert old_row is not None
    return (
        _info(old_row, conn.name),
        _info(new_row, conn.name),
        diff_schemas(load_schema(session, old_id, cache), new_model),
    )


def _record(
    uows: UowFactory,
    clock: Clock,
    conn_id: int,
    *,
    started: datetime,
    status: str,
    trigger: str,
    duration_ms: int,
    error: str | None = None,
    snapshot_id: int | None = None,
) -> None:
    with uows() as uow:
        uow.session.add(
            RefreshRow(
                connection_id=conn_id,
                started_at=started,
                finished_at=clock(),
                status=status,
                trigger=trigger,
                snapshot_id=snapshot_id,
                error=error,
                duration_ms=duration_ms,
            )
        )
        values: dict[str, Any] = {
            "last_refresh_at": clock(),
            "last_refresh_status": status,
            "last_refresh_error": error,
            "last_refresh_ms": duration_ms,
        }
        if snapshot_id is not None:
            values["current_snapshot_id"] = snapshot_id
        uow.session.execute(update(ConnectionRow).where(ConnectionRow.id == conn_id).values(**values))
        uow.commit()


def take_snapshot(
    uows: UowFactory,
    conn_id: int,
    name: str,
    target: TargetConfig,
    options: dict[str, Any],
    *,
    trigger: str,
    progress: Progress = no_progress,
    cache: SnapshotCache | None = None,
    clock: Clock,
) -> RefreshResult:
    """Introspect, then store a new snapshot only if the checksum changed; record every attempt.

    A failure (unreachable, refused, a catalog query error) is recorded on the connection and returned
    as an ``error`` result; the snapshot in use stays the same.
    """
    started = clock()
    timer = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - timer) * 1000)

    message: str | None
    try:
        with connect(target) as conn:
            model = introspect(
                conn,
                target.dialect,
                include_schemas=options.get("include_schemas") or [],
                exclude_schemas=options.get("exclude_schemas") or [],
                progress=progress,
            )
    except SqldraftError as exc:
        message = str(exc)
    except DBAPIError as exc:
        message = f"reading the schema of {name!r} failed: {explain_error(exc, target)}"
    except Exception as exc:
        incident = report_incident(log, exc, f"snapshot of {name!r}")
        message = f"reading the schema of {name!r} failed unexpectedly (incident {incident})"
    else:
        message = None
    if message is not None:
        _record(
            uows, clock, conn_id, started=started, status="error", trigger=trigger, duration_ms=elapsed(), error=message
        )
        return RefreshResult(connection=name, status="error", error=message, duration_ms=elapsed(), trigger=trigger)

    canonical = model.canonical_json()
    checksum = model.checksum(canonical)
    stats = model.stats()
    with uows() as uow:
        session = uow.session
        conn_row = session.get(ConnectionRow, conn_id)
        if conn_row is None:
            raise NotFound(f"connection {name!r} was removed during the refresh")
        previous = session.get(SnapshotRow, conn_row.current_snapshot_id) if conn_row.current_snapshot_id else None
        now = clock()
        if previous is not None and previous.checksum == checksum:
            previous.last_seen_at = now
            previous.stats = stats
            row, status, diff = previous, "unchanged", SchemaDiff()
        else:
            row = SnapshotRow(
                connection_id=conn_id,
                taken_at=now,
                last_seen_at=now,
                checksum=checksum,
                dialect=model.dialect.value,
                server_version=model.server_version[:200],
                table_count=len(model.tables),
                schema_blob=encode_schema(canonical),
                stats=stats,
            )
            session.add(row)
            old_model = (
                load_schema(session, previous.id, cache) if previous is not None else SchemaModel(dialect=model.dialect)
            )
            diff = diff_schemas(old_model, model)
            status = "changed" if previous is not None else "created"
        session.flush()
        duration = elapsed()
        session.add(
            RefreshRow(
                connection_id=conn_id,
                started_at=started,
                finished_at=clock(),
                status=status,
                trigger=trigger,
                snapshot_id=row.id,
                duration_ms=duration,
            )
        )
        conn_row.current_snapshot_id = row.id
        conn_row.last_refresh_at, conn_row.last_refresh_status = clock(), status
        conn_row.last_refresh_error, conn_row.last_refresh_ms = None, duration
        info = _info(row, name)
        uow.commit()
    if cache is not None:
        cache.put(info.id, info.last_seen_at.isoformat(), model)
    return RefreshResult(
        connection=name, status=status, snapshot=info, diff=diff, duration_ms=duration, trigger=trigger
    )


def current_schema(uow: UnitOfWork, name: str, cache: SnapshotCache) -> tuple[SnapshotInfo, SchemaModel]:
    """The snapshot in use for ``name`` and its parsed schema (cached per snapshot).

    Raises:
        NotFound: unknown connection or no snapshot yet.
    """
    _, info = current_snapshot(uow.session, name)
    return info, load_schema(uow.session, info.id, cache, stats_key=info.last_seen_at.isoformat())


def snapshot_status(uow: UnitOfWork, name: str, now: datetime) -> dict[str, Any]:
    """What `snapshot show` reports: the connection, the snapshot in use, its age and the recent refreshes."""
    session = uow.session
    row = find_connection(session, name)
    profile = to_profile(row, current_snapshot_rows(session, [row]).get(row.id))
    info = current_snapshot(session, name)[1] if row.current_snapshot_id else None
    return {
        "connection": profile.to_dict(),
        "snapshot": info.to_dict() if info else None,
        "age_seconds": info.age_seconds(now) if info else None,
        "recent_refreshes": recent_refreshes(session, row.id),
    }
