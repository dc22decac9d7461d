"""The MCP server's HTTP edge: /healthz and /readyz beside the MCP app, and a body cap enforced before reading.

(The bot has its own copy of the body cap in bot/http_edges.py: adapters share nothing but the core.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio.to_thread

from core.service import Copilot

Scope = dict[str, Any]
Message = dict[str, Any]


def with_operations(
    app: Any, copilot: Copilot, limit: int, scheduler_alive: Callable[[], bool] | None = None, host: str = "127.0.0.1"
) -> Any:
    """``app`` behind the body cap, with GET /healthz (no I/O), /readyz (JSON, 200 or 503), /metrics answered here."""

    async def routed(scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path") if scope["type"] == "http" else None
        if path == "/healthz":
            await _json(send, 200, {"ok": True})
        elif path == "/readyz":
            status = await anyio.to_thread.run_sync(lambda: copilot.readiness(scheduler_alive=scheduler_alive))
            await _json(send, 200 if status.ok else 503, status.model_dump(mode="json"))
        elif path == "/metrics":
            if copilot.metrics_enabled(host):
                text = await anyio.to_thread.run_sync(copilot.metrics_text)
                await _plain(send, 200, text)
            else:
                await _plain(send, 404, "not found")
        else:
            await app(scope, receive, send)

    return BodyCap(routed, limit)


class BodyCap:
    """ASGI middleware: 413 for a declared or streamed body over ``limit`` bytes, holding at most ``limit``."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _plain(send, 413 if declared.isdigit() else 400, "request body too large or malformed")
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await _plain(send, 413, "request body too large")
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed, send)


async def _json(send: Any, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _plain(send: Any, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
