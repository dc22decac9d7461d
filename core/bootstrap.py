"""The one place that wires sqldraft together from settings: the store, the caches, the bus, the pool."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from core.crypto import Cipher
from core.events import EventBus
from core.generation.generators import make_generator
from core.generation.retrieval import Embedder
from core.service import Copilot
from core.services.drafting import DraftingDeps
from core.services.refresh import RefreshDeps
from core.services.snapshots import SnapshotCache
from core.services.tools import ToolCache, ToolSettings
from core.settings import Settings
from core.store import Clock, Store
from core.store.models import utcnow
from core.validation.context import Settings as ValidationSettings
from core.workers import DraftPool

T = TypeVar("T")


def build_copilot(settings: Settings | None = None, *, ensure_store: bool = True, clock: Clock = utcnow) -> Copilot:
    """A Copilot over the configured store; creates an empty store on first use.

    Raises:
        ConfigurationError: bad store URL or secret key.
        StoreVersionError: the store needs `sqldraft init`, or is newer than this sqldraft.
    """
    settings = settings or Settings()
    cipher = Cipher(settings.secret_key)
    store = Store(settings.effective_store_url())
    if ensure_store:
        store.ensure_ready()
    instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    schemas, tools, bus = SnapshotCache(), ToolCache(recheck_seconds=settings.snapshot_recheck_seconds), EventBus()
    bus.on_change(tools.forget)
    tool_settings = ToolSettings(
        validation=ValidationSettings(
            large_table_rows=settings.large_table_rows,
            large_offset=settings.large_offset,
            plan_max_rows=settings.plan_max_rows,
            plan_max_cost=settings.plan_max_cost,
            nested_loop_rows=settings.plan_nested_loop_rows,
        ),
        max_sql_chars=settings.max_sql_chars,
    )
    refresh = RefreshDeps(
        uows=store.uow, cipher=cipher, settings=settings, clock=clock, holder=instance, schemas=schemas,
        tools=tools, tool_settings=tool_settings, bus=bus,
    )  # fmt: skip
    drafting = DraftingDeps(
        uows=store.uow, settings=settings, clock=clock, worker=instance, schemas=schemas, tools=tools,
        tool_settings=tool_settings, generator=_once(lambda: make_generator(settings)),
        embedder=_once(lambda: _embedder(settings)), cipher=cipher,
    )  # fmt: skip
    pool = DraftPool(settings.draft_workers)
    copilot = Copilot(settings, store, cipher, clock, refresh=refresh, drafting=drafting, pool=pool, bus=bus)
    if ensure_store:
        copilot.recover_interrupted_drafts()
    return copilot


def _once(make: Callable[[], T]) -> Callable[[], T]:
    """``make()`` on the first call, the same object after (thread-safe)."""
    made: list[T] = []
    lock = threading.Lock()

    def get() -> T:
        with lock:
            if not made:
                made.append(make())
            return made[0]

    return get


def _embedder(settings: Settings) -> Embedder | None:
    if settings.retrieval != "hybrid":
        return None
    from core.generation.embeddings import load_embedder

    return load_embedder()


def init_store(settings: Settings, *, into_existing: bool = False) -> dict[str, Any]:
    """Create or upgrade the metadata store (``sqldraft init``); a malformed key is refused first.

    Returns the store's display URL and its Alembic revision before and after.
    """
    Cipher(settings.secret_key)  # a malformed key is reported before anything else changes
    store = Store(settings.effective_store_url())
    try:
        before, after = store.upgrade(into_existing=into_existing)
    finally:
        store.dispose()
    return {"store": store.display_url(), "revision_before": before, "revision": after}
