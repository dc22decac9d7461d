"""The drafting pool: queued drafts run on a few threads; whoever asked is told when each is done."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from core.domain.drafts import Draft
from core.incidents import report_incident

log = logging.getLogger(__name__)


class DraftPool:
    """A lazily started thread pool of ``workers`` threads; a failing ``on_done`` never breaks it."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(
        self, run: Callable[[str], Draft], draft_id: str, on_done: Callable[[Draft], None] | None = None
    ) -> None:
        self._pool().submit(self._run_and_notify, run, draft_id, on_done)

    def _run_and_notify(
        self, run: Callable[[str], Draft], draft_id: str, on_done: Callable[[Draft], None] | None
    ) -> None:
        draft = run(draft_id)
        if on_done is not None:
            try:
                on_done(draft)
            except Exception as exc:
                report_incident(log, exc, f"notifying about draft {draft_id}")

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="sqldraft-draft")
            return self._executor

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
