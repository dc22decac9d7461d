"""A minimal Socket Mode peer: a websocket server on loopback that sends envelopes and collects acks."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
from types import TracebackType
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketMode:
    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.received: list[dict[str, Any]] = []
        self.conn: socket.socket | None = None
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link?ticket=test"

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        key = next(
            line.split(":", 1)[1].strip()
            for line in request.decode().split("\r\n")
            if line.lower().startswith("sec-websocket-key")
        )
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        self.conn = conn
        self.send(
            {"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}, "connection_info": {"app_id": "A1"}}
        )
        self.connected.set()
        conn.settimeout(0.2)
        buffer = b""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while True:
                frame, buffer = self._frame(buffer)
                if frame is None:
                    break
                opcode, payload = frame
                if opcode == 0x1:
                    self.received.append(json.loads(payload))
                elif opcode == 0x9:
                    self._send_frame(0xA, payload)
                elif opcode == 0x8:
                    return

    @staticmethod
    def _frame(buffer: bytes) -> tuple[tuple[int, bytes] | None, bytes]:
        if len(buffer) < 2:
            return None, buffer
        opcode, length, pos = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
        if length == 126:
            if len(buffer) < 4:
                return None, buffer
            length, pos = struct.unpack(">H", buffer[2:4])[0], 4
        elif length == 127:
            if len(buffer) < 10:
                return None, buffer
            length, pos = struct.unpack(">Q", buffer[2:10])[0], 10
        masked = buffer[1] & 0x80
        mask = buffer[pos : pos + 4] if masked else b""
        pos += 4 if masked else 0
        if len(buffer) < pos + length:
            return None, buffer
        data = buffer[pos : pos + length]
        if masked:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return (opcode, data), buffer[pos + length :]

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        assert self.conn is not None
        head = bytes([0x80 | opcode])
        n = len(payload)
        head += (
            bytes([n])
            if n < 126
            else (bytes([126]) + struct.pack(">H", n) if n < 65536 else bytes([127]) + struct.pack(">Q", n))
        )
        self.conn.sendall(head + payload)

    def send(self, message: dict[str, Any]) -> None:
        self._send_frame(0x1, json.dumps(message).encode())

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in self.received:
                if message.get("envelope_id") == envelope_id:
                    return message
            time.sleep(0.02)
        raise AssertionError(f"no ack for {envelope_id}; received {self.received}")

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        for s in (self.conn, self.sock):
            if s is not None:
                with contextlib.suppress(OSError):
                    s.close()
