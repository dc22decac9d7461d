"""A fake Slack Web API on 127.0.0.1 (WebClient base_url points here), recording every call with its body."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.responses: list[dict[str, Any]] = []
        self.groups: dict[str, list[str]] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._ts = 1_700_000_000
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _body(self) -> dict[str, Any]:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                kind = self.headers.get("content-type", "")
                if "json" in kind:
                    return json.loads(raw or b"{}")
                if "x-www-form-urlencoded" in kind:
                    return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                return {"raw": raw.decode(errors="replace")}

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                if self.path.startswith("/upload/"):
                    # files.uploadV2's upload URL gets the file's bytes as they are (whatever the content type)
                    raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                    with fake._lock:
                        fake.calls.append(("upload", {"raw": raw.decode(errors="replace")}))
                    self._send(200, b"OK")
                    return
                body = self._body()
                if self.path.startswith("/response/"):
                    with fake._lock:
                        fake.responses.append(body)
                    self._send(200, {"ok": True})
                    return
                method = self.path.split("/api/", 1)[-1].strip("/")
                for key in ("blocks", "view", "attachments", "files"):
                    if isinstance(body.get(key), str):
                        with contextlib.suppress(json.JSONDecodeError):
                            body[key] = json.loads(body[key])
                with fake._lock:
                    fake.calls.append((method, body))
                    failure = fake.failures[method].pop(0) if fake.failures[method] else None
                if failure is not None:
                    status, headers, payload = failure
                    self._send(status, payload, headers)
                    return
                self._send(200, fake.answer(method, body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._ts += 1
            ts = f"{self._ts}.000100"
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "sqldraft"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": body.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.update"):
            return {"ok": True, "view": {"id": "V1", **(body.get("view") or {})}}
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.groups.get(body.get("usergroup", ""), [])}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "draft"}]}
        if method == "apps.connections.open":
            return {"ok": False, "error": "not_available_in_tests"}
        return {"ok": False, "error": "unknown_method"}

    def fail(self, method: str, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.failures[method].append((status, headers or {}, payload))

    def of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [body for m, body in self.calls if m == method]

    def wait_for(self, method: str, predicate: Any = lambda body: True, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for body in self.of(method):
                if predicate(body):
                    return body
            time.sleep(0.02)
        raise AssertionError(f"no {method} call matched within {timeout} s; calls: {[m for m, _ in self.calls]}")

    def __enter__(self) -> FakeSlack:
        self.thread.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
