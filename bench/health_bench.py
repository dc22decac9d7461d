"""Operations figures for issue 15, against a real `sqldraft-bot --http` process (this script is the second process).

1. /readyz latency: 200 requests spread over 10 s; p50, p95, max.
2. Memory: the bot's RSS at idle, then while 20 concurrent unsigned 100 MB POSTs are refused (peak VmHWM).
3. Rate-limit check overhead: Copilot.take_rate per call on the same store, limits set vs unset.

    .venv/bin/python -m bench.health_bench
"""

from __future__ import annotations

import concurrent.futures
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _refuse_big(port: int, size: int = 100 * 1024 * 1024) -> int:
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Length", str(size))
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.endheaders()
    chunk, sent = b"x" * 65536, 0
    try:
        while sent < size:  # a client that keeps sending: the server must not keep what it gets
            connection.send(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the server answered and closed
    try:
        return connection.getresponse().status
    except OSError:
        return 413
    finally:
        connection.close()


def main() -> None:
    from core.crypto import generate_key

    tmp = Path(tempfile.mkdtemp(prefix="health-bench-"))
    env = os.environ | {
        "SQLDRAFT_STORE_URL": f"sqlite:///{tmp / 'store.db'}", "SQLDRAFT_SECRET_KEY": generate_key(),
        "SQLDRAFT_DATA_DIR": str(tmp), "SLACK_SIGNING_SECRET": "bench-signing-secret", "SLACK_BOT_TOKEN": "xoxb-bench",
        "SQLDRAFT_SLACK_API_URL": "http://127.0.0.1:9/api/", "XDG_CONFIG_HOME": str(tmp / "config"),
    }  # fmt: skip
    subprocess.run([str(BIN / "sqldraft"), "init"], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [str(BIN / "sqldraft-bot"), "--http", "--no-scheduler", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        times = []
        start = time.perf_counter()
        for i in range(200):
            time.sleep(max(0.0, start + i * 0.05 - time.perf_counter()))
            t0 = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:
                response.read()
                assert response.status == 200
            times.append((time.perf_counter() - t0) * 1000)
        q = statistics.quantiles(times, n=100)
        print(f"/readyz 200 requests in {time.perf_counter() - start:.1f} s: p50 {q[49]:.2f} ms, "
              f"p95 {q[94]:.2f} ms, max {max(times):.2f} ms")  # fmt: skip
        time.sleep(1)
        idle = _rss(proc.pid)
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(lambda _: _refuse_big(port), range(20)))
        peak = _rss(proc.pid, "VmHWM")
        print(f"20 concurrent 100 MB unsigned bodies: statuses {sorted(set(statuses))}; RSS idle {idle:.1f} MB, "
              f"peak {peak:.1f} MB (+{peak - idle:.1f} MB)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    _rate_overhead(env)


def _rate_overhead(env: dict[str, str]) -> None:
    from core.bootstrap import build_copilot
    from core.settings import load_settings

    for limits in ("", "draft=1000000/hour,draft@connection=1000000/hour,draft@global=1000000/day"):
        os.environ.update(env | {"SQLDRAFT_RATE_LIMITS": limits})
        copilot = build_copilot(load_settings())
        n = 300
        t0 = time.perf_counter()
        for i in range(n):
            copilot.take_rate("draft", f"bench:{i % 10}", "shop")
        per = (time.perf_counter() - t0) / n * 1000
        copilot.close()
        print(f"rate-limit check per draft ({'three limits' if limits else 'no limits'}, SQLite store): {per:.3f} ms")


if __name__ == "__main__":
    main()
