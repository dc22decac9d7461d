"""A scripted OpenAI-compatible endpoint on 127.0.0.1: real HTTP, so the real ``openai`` SDK is exercised."""

from __future__ import annotations

import json
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


class FakeLLM:
    """Answers POST /v1/chat/completions with the next scripted action and records every request."""

    def __init__(self) -> None:
        self.actions: deque[Action] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

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
                if action.status == 200 and action.body is None:
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
                data = json.dumps(payload).encode()
                try:
                    self.send_response(action.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in action.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

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

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
