"""The drift event bus: what a refresh that changed the schema tells whoever listens (the Slack app)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.domain.diff import SchemaDiff
from core.domain.snapshots import SnapshotInfo
from core.incidents import report_incident

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DriftEvent:
    """A refresh that found the schema changed."""

    connection: str
    notify_channel: str | None
    snapshot: SnapshotInfo
    diff: SchemaDiff
    trigger: str
    details: dict[str, Any] = field(default_factory=dict)
    """What the refresh found besides the diff: examples made stale or revived, drafts awaiting review."""


DriftListener = Callable[[DriftEvent], None]
ChangeListener = Callable[[str], None]
"""Called with a connection's name after its snapshot in use, its confirmation or its options changed."""


class EventBus:
    """Listeners called in order after each drift; one listener's failure never reaches the refresh."""

    def __init__(self) -> None:
        self._listeners: list[DriftListener] = []
        self._changes: list[ChangeListener] = []
        self._lock = threading.Lock()

    def on_change(self, listener: ChangeListener) -> None:
        with self._lock:
            self._changes.append(listener)

    def changed(self, connection: str) -> None:
        """Tell the change listeners (the caches) that ``connection`` changed; before any drift listener."""
        with self._lock:
            listeners = list(self._changes)
        for listener in listeners:
            try:
                listener(connection)
            except Exception as exc:
                report_incident(log, exc, f"change listener {getattr(listener, '__name__', listener)!r}")

    def subscribe(self, listener: DriftListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def publish(self, event: DriftEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception as exc:
                report_incident(log, exc, f"drift listener {getattr(listener, '__name__', listener)!r}")
