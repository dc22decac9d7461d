"""What is built once per snapshot and reused by every request: the validator and the retrieval index."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from cachetools import LRUCache

from core.domain.connections import ConnectionOptions
from core.domain.schema import SchemaModel
from core.domain.snapshots import SnapshotInfo
from core.generation.retrieval import Embedder, RetrievalIndex
from core.services.snapshots import SnapshotCache, current_snapshot, load_schema
from core.store import UnitOfWork, UowFactory
from core.validation.context import Settings as ValidationSettings
from core.validation.engine import Validator
from core.validation.names import SchemaIndex

ToolKey = tuple[int, str, frozenset[str]]
"""(snapshot id, when the snapshot was last confirmed, the connection's safe functions)."""


@dataclass(slots=True)
class SnapshotTools:
    schema: SchemaModel
    validator: Validator
    retrieval: RetrievalIndex | None = None


@dataclass(slots=True)
class ToolSettings:
    """The settings the tools are built with (a slice of core.settings.Settings)."""

    validation: ValidationSettings
    max_sql_chars: int
    embedder: Embedder | None = None


class ToolCache:
    """The tools of the most recently used snapshots (an LRU of ``size``), safe across threads.

    It also remembers which snapshot each connection uses, for ``recheck_seconds``: a tool call then
    reaches its tools without a store query. This process's refreshes and option changes forget a
    connection at once (through the event bus); a refresh by another process is seen within
    ``recheck_seconds``.
    """

    def __init__(
        self, size: int = 8, *, recheck_seconds: float = 2.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._cache: LRUCache[ToolKey, SnapshotTools] = LRUCache(maxsize=size)
        self.lock = threading.RLock()
        self.recheck_seconds = recheck_seconds
        self._monotonic = monotonic
        self._current: dict[str, tuple[float, SnapshotInfo, ToolKey]] = {}
        self.generation = 0
        """Counts forgets: what was read from the store before one is not remembered after it."""

    def current(self, name: str) -> tuple[SnapshotInfo, SnapshotTools] | None:
        """The snapshot ``name`` uses and its tools, if known and fresh."""
        with self.lock:
            entry = self._current.get(name)
            if entry is None or entry[0] <= self._monotonic():
                return None
            tools = self._cache.get(entry[2])
            return None if tools is None else (entry[1], tools)

    def remember(self, name: str, info: SnapshotInfo, key: ToolKey, generation: int) -> None:
        with self.lock:
            if generation == self.generation:
                self._current[name] = (self._monotonic() + self.recheck_seconds, info, key)

    def forget(self, connection: str) -> None:
        """``connection``'s snapshot or options changed: its next call asks the store again."""
        with self.lock:
            self.generation += 1
            for name in [n for n, (_, info, _) in self._current.items() if connection in (n, info.connection)]:
                del self._current[name]

    def get(self, key: ToolKey) -> SnapshotTools | None:
        with self.lock:
            return self._cache.get(key)

    def put(self, key: ToolKey, tools: SnapshotTools) -> None:
        with self.lock:
            self._cache[key] = tools


def snapshot_tools(
    uow: UnitOfWork, name: str, *, cache: ToolCache, schemas: SnapshotCache, settings: ToolSettings
) -> tuple[SnapshotInfo, SnapshotTools]:
    """The snapshot in use for ``name`` and its tools, built on the first request after a refresh.

    Raises:
        NotFound: unknown connection, or no snapshot yet.
    """
    info, tools, _ = _snapshot_tools(uow, name, cache=cache, schemas=schemas, settings=settings)
    return info, tools


def _snapshot_tools(
    uow: UnitOfWork, name: str, *, cache: ToolCache, schemas: SnapshotCache, settings: ToolSettings
) -> tuple[SnapshotInfo, SnapshotTools, ToolKey]:
    conn, info = current_snapshot(uow.session, name)
    safe = frozenset(ConnectionOptions.from_dict(conn.options).extra.get("safe_functions") or ())
    key = (info.id, info.last_seen_at.isoformat(), safe)
    cached = cache.get(key)
    if cached is not None:
        return info, cached, key
    schema = load_schema(uow.session, info.id, schemas, stats_key=key[1])  # only on a miss: the blob
    validator = Validator(
        SchemaIndex(schema),
        settings=replace(settings.validation, safe_functions=safe),
        max_chars=settings.max_sql_chars,
        checksum=info.checksum,
    )
    tools = SnapshotTools(schema=schema, validator=validator)
    cache.put(key, tools)
    return info, tools, key


def current_tools(
    uows: UowFactory, name: str, *, cache: ToolCache, schemas: SnapshotCache, settings: ToolSettings
) -> tuple[SnapshotInfo, SnapshotTools]:
    """:func:`snapshot_tools` without a store round trip while the cache knows the snapshot in use.

    Raises:
        NotFound: unknown connection, or no snapshot yet (never remembered).
    """
    hit = cache.current(name)
    if hit is not None:
        return hit
    generation = cache.generation
    with uows() as uow:
        info, tools, key = _snapshot_tools(uow, name, cache=cache, schemas=schemas, settings=settings)
    cache.remember(name, info, key, generation)
    return info, tools


def retrieval_index(tools: SnapshotTools, *, cache: ToolCache, embedder: Embedder | None) -> RetrievalIndex:
    """The snapshot's retrieval index, built once on first use."""
    with cache.lock:
        if tools.retrieval is None:
            tools.retrieval = RetrievalIndex.build(tools.schema, embedder)
        return tools.retrieval
