"""What is built once per snapshot and reused by every request: the validator and the retrieval index."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from cachetools import LRUCache

from core.domain.connections import ConnectionOptions
from core.domain.schema import SchemaModel
from core.domain.snapshots import SnapshotInfo
from core.generation.retrieval import Embedder, RetrievalIndex
from core.services.snapshots import SnapshotCache, current_snapshot, load_schema
from core.store import UnitOfWork
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
    """The tools of the most recently used snapshots (an LRU of ``size``), safe across threads."""

    def __init__(self, size: int = 8) -> None:
        self._cache: LRUCache[ToolKey, SnapshotTools] = LRUCache(maxsize=size)
        self.lock = threading.RLock()

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
    conn, info = current_snapshot(uow.session, name)
    safe = frozenset(ConnectionOptions.from_dict(conn.options).extra.get("safe_functions") or ())
    key = (info.id, info.last_seen_at.isoformat(), safe)
    cached = cache.get(key)
    if cached is not None:
        return info, cached
    schema = load_schema(uow.session, info.id, schemas, stats_key=key[1])  # only on a miss: the blob
    validator = Validator(
        SchemaIndex(schema),
        settings=replace(settings.validation, safe_functions=safe),
        max_chars=settings.max_sql_chars,
        checksum=info.checksum,
    )
    tools = SnapshotTools(schema=schema, validator=validator)
    cache.put(key, tools)
    return info, tools


def retrieval_index(tools: SnapshotTools, *, cache: ToolCache, embedder: Embedder | None) -> RetrievalIndex:
    """The snapshot's retrieval index, built once on first use."""
    with cache.lock:
        if tools.retrieval is None:
            tools.retrieval = RetrievalIndex.build(tools.schema, embedder)
        return tools.retrieval
