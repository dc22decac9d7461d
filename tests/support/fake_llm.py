"""A scripted OpenAI-compatible endpoint on 127.0.0.1: real HTTP, so the real ``openai`` SDK is exercised."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Action:
    status: int = 200
    content: str | None = None
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 120
    completion_tokens: int = 40
    raw: bytes | None = None
    """Sent as is with ``content_type`` (an HTML login page, plain text, broken JSON)."""
    content_type: str = "application/json"


def closed_port_url() -> str:
    """A base URL on loopback where nothing listens (a model endpoint that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class FakeLLM:
    """Answers POST /v1/chat/completions with the next scripted action and records every request.

    GET /v1/models lists ``models``. Unscripted chat requests get a 500.
    """

    def __init__(self, models: tuple[str, ...] = ("fake-model", "m")) -> None:
        self.models = list(models)
        self.actions: deque[Action] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    body = {
                        "object": "list",
                        "data": [{"id": m, "object": "model", "owned_by": "fake"} for m in fake.models],
                    }
                    self._send(200, json.dumps(body).encode(), "application/json", {})
                else:
                    self._send(404, b'{"error": {"message": "not found"}}', "application/json", {})

            def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(body)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    action = (
                        fake.actions.popleft()
                        if fake.actions
                        else Action(
                            status=500, body={"error": {"message": "no scripted reply left", "type": "server_error"}}
                        )
                    )
                if action.delay:
                    time.sleep(action.delay)
                if action.status == 200 and action.body is None and action.raw is None:
                    payload = {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake-model"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": action.content},
                            }
                        ],
                        "usage": {
                            "prompt_tokens": action.prompt_tokens,
                            "completion_tokens": action.completion_tokens,
                            "total_tokens": action.prompt_tokens + action.completion_tokens,
                        },
                    }
                else:
                    payload = action.body or {"error": {"message": f"status {action.status}", "type": "error"}}
                data = action.raw if action.raw is not None else json.dumps(payload).encode()
                self._send(action.status, data, action.content_type, action.headers)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def reply(self, content: str, **kw: Any) -> FakeLLM:
        self.actions.append(Action(content=content, **kw))
        return self

    def reply_json(self, **fields: Any) -> FakeLLM:
        return self.reply(json.dumps(fields))

    def error(
        self, status: int, message: str = "error", headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> FakeLLM:
        self.actions.append(
            Action(
                status=status,
                headers=headers or {},
                delay=delay,
                body={"error": {"message": message, "type": "error", "code": status}},
            )
        )
        return self

    def html(self, status: int = 200, page: str = "<html><body><form>Proxy login</form></body></html>") -> FakeLLM:
        """A proxy's login page instead of the API."""
        self.actions.append(Action(status=status, raw=page.encode(), content_type="text/html; charset=utf-8"))
        return self

    def plain_text(self, text: str = "Service is up.") -> FakeLLM:
        self.actions.append(Action(raw=text.encode(), content_type="text/plain"))
        return self

    def wrong_json(self, body: dict[str, Any] | None = None) -> FakeLLM:
        """JSON with a 200 that is not a chat completion."""
        self.actions.append(Action(raw=json.dumps(body or {"status": "ok", "result": 42}).encode()))
        return self

    def broken_json(self) -> FakeLLM:
        self.actions.append(Action(raw=b'{"choices": [', content_type="application/json"))
        return self

    def unknown_model(self, model: str = "no-such-model") -> FakeLLM:
        """OpenAI's answer for a model it does not serve."""
        message = f"The model `{model}` does not exist or you do not have access to it."
        self.actions.append(
            Action(
                status=404,
                body={"error": {"message": message, "type": "invalid_request_error", "code": "model_not_found"}},
            )
        )
        return self

    def errors(self, status: int, count: int, message: str = "upstream failed") -> FakeLLM:
        for _ in range(count):
            self.error(status, message)
        return self

    def hang(self, seconds: float, count: int = 1) -> FakeLLM:
        """Answers that take ``seconds`` (the client gives up first in a timeout test)."""
        for _ in range(count):
            self.actions.append(Action(content="{}", delay=seconds))
        return self

    @property
    def attempts(self) -> int:
        """Chat completion requests received so far."""
        return len(self.requests)

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
