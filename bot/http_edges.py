"""The HTTP edge: a body cap enforced before the body is read, and Slack requests checked before Bolt sees them."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

Scope = dict[str, Any]
Message = dict[str, Any]

_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


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


def slack_problem(headers: dict[str, str], body: bytes, secret: str) -> tuple[int, str] | None:
    """(status, reason) when a Slack request is forged or malformed; None when Bolt may handle it."""
    signature = headers.get("x-slack-signature", "")
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not _SIGNATURE.fullmatch(signature) or not _TIMESTAMP.fullmatch(timestamp):
        return 401, "missing or malformed Slack signature headers"
    if not SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature):
        return 401, "invalid or expired Slack signature"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "the body is not UTF-8"
    try:
        if text.lstrip().startswith("{"):
            json.loads(text)
        else:
            payload = parse_qs(text).get("payload")
            if payload is not None:
                json.loads(payload[0])
    except ValueError:
        return 400, "the body is not a Slack payload (malformed JSON)"
    return None


async def _plain(send: Any, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
