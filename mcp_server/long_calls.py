"""Long calls over MCP: progress and log notifications from the core's threads, and a deadline.

A draft runs on the core's drafting pool, not in the request: the tool waits for it up to a deadline
and then answers with the draft as it stands (status ``running``; get_draft reports it later). A
client that gives up or disconnects only stops the waiting; the draft goes on while the process lives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
import weakref
from typing import Any

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context

from core.domain.drafts import Draft
from core.service import Copilot

log = logging.getLogger("sqldraft.mcp")

LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
DEFAULT_LEVEL = "info"
"""Log notifications a session gets before it sets a level (refreshes and drafts log at info)."""
_levels: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def _client(session: Any) -> Any:
    # the SDK makes a session object per request; the level is the connection's (one per client)
    return getattr(session, "_connection", session)


def set_level(session: Any, level: str) -> None:
    """logging/setLevel: the least severe level this client is sent."""
    _levels[_client(session)] = level


def wants(session: Any, level: str) -> bool:
    try:
        floor = _levels.get(_client(session), DEFAULT_LEVEL)
    except TypeError:  # a session that cannot be weakly referenced gets the default
        floor = DEFAULT_LEVEL
    return LEVELS.index(level) >= LEVELS.index(floor)


class Relay:
    """Forwards progress(message, fraction) from any thread to the request, until closed.

    Each step is a progress notification (when the client gave a progress token) and an info log
    notification (when the session's level lets it through). Progress only increases, as the
    protocol asks; a notification that cannot be sent (the client left) is dropped.
    """

    def __init__(self, ctx: Context, logger: str) -> None:
        self._ctx, self._logger = ctx, logger
        self._loop = asyncio.get_running_loop()
        self._open = True
        self._last = 0.0

    def __call__(self, message: str, fraction: float | None) -> None:
        if self._open:
            with contextlib.suppress(RuntimeError):  # the event loop is gone: nobody is listening
                asyncio.run_coroutine_threadsafe(self._send(message, fraction), self._loop)

    def steps(self, phase: str, step: int, steps: int) -> None:
        """The refresh's progress(phase, step, steps), as a fraction."""
        self(phase, step / steps if steps else None)

    async def _send(self, message: str, fraction: float | None) -> None:
        if not self._open:
            return
        self._last = max(self._last, round(100 * fraction, 1) if fraction is not None else self._last)
        try:
            await self._ctx.report_progress(self._last, 100, message)
            session = self._ctx.request_context.session
            if wants(session, "info"):
                with warnings.catch_warnings():  # deprecated in the 2026-07-28 protocol; clients before it use it
                    warnings.simplefilter("ignore", DeprecationWarning)
                    await session.send_log_message("info", message, logger=self._logger)
        except Exception as exc:  # the client left, or its stream closed: the work goes on regardless
            log.debug("progress notification dropped: %s", exc)

    def close(self) -> None:
        self._open = False


async def draft_within(ctx: Context, copilot: Copilot, draft_id: str) -> Draft:
    """Run a queued draft on the pool, relaying its progress; the draft once done or at the deadline."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    relay = Relay(ctx, "sqldraft.draft")

    def finished(_: Draft) -> None:
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(done.set)

    copilot.start_draft(draft_id, on_done=finished, progress=relay)
    try:
        with anyio.move_on_after(copilot.settings.mcp_draft_deadline):
            await done.wait()
    finally:
        relay.close()
    return await anyio.to_thread.run_sync(copilot.get_draft, draft_id)


async def in_thread(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """A blocking core call from an async tool, on a worker thread."""
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
