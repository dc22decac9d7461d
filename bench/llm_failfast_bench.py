"""Time to a failed draft with a broken model endpoint, default fail-fast settings (target <= 20 s each).

Four endpoints on loopback: down (a closed port), answering 500 to everything, hanging (an HTTP server
that reads the request and never answers) and silent (a TCP listener that accepts and never reads:
tests/support/silent_server.py) and a blackhole (a port whose SYNs are dropped: the connect times
out). Each draft goes through the whole pipeline (retrieve, prompt, SDK call with its
retries, fail, persist), as `sqldraft draft` does.

    .venv/bin/python -m bench.llm_failfast_bench [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from core.bootstrap import build_copilot
from core.demo import create_sample_database
from core.settings import Settings
from tests.support.fake_llm import FakeLLM, closed_port_url
from tests.support.silent_server import Blackhole, SilentServer

TARGET_S = 20.0


def _draft_seconds(base_url: str, folder: Path, n: int) -> tuple[float, str]:
    db = create_sample_database(folder / f"shop{n}.db")
    settings = Settings(
        data_dir=folder,
        store_url=f"sqlite:///{folder / f'store{n}.db'}",
        secret_key=None,
        generator="llm",
        llm_base_url=base_url,
        llm_model="bench-model",
        llm_api_key="bench-key-not-secret",
    )
    copilot = build_copilot(settings)
    try:
        copilot.add_connection("shop", f"sqlite:///{db}")
        copilot.refresh_snapshot("shop")
        start = time.monotonic()
        draft = copilot.draft("shop", "How many orders per status?", requester="cli:bench")
        elapsed = time.monotonic() - start
        assert draft.status.value == "failed", draft.status
        return elapsed, draft.error_message or ""
    finally:
        copilot.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    messages: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n = 0
        names = ["down (closed port)", "500 to everything", "hanging (never answers)", "silent (TCP, never reads)"]
        names += ["blackhole (SYNs dropped)"]
        for name in names:
            for _ in range(args.runs):
                n += 1
                if name.startswith("down"):
                    seconds, message = _draft_seconds(closed_port_url(), folder, n)
                elif name.startswith("blackhole"):
                    with Blackhole() as hole:
                        seconds, message = _draft_seconds(f"http://127.0.0.1:{hole.port}/v1", folder, n)
                elif name.startswith("silent"):
                    with SilentServer() as silent:
                        seconds, message = _draft_seconds(f"http://127.0.0.1:{silent.port}/v1", folder, n)
                else:
                    with FakeLLM() as fake:
                        if name.startswith("500"):
                            fake.errors(500, 10, "internal error")
                        else:
                            fake.hang(120.0, count=10)
                        seconds, message = _draft_seconds(fake.url, folder, n)
                results.setdefault(name, []).append(seconds)
                messages[name] = message
    ok = True
    print(f"{'endpoint':28} {'median s':>9} {'max s':>7}  error shown")
    for name, times in results.items():
        ok &= max(times) <= TARGET_S
        print(f"{name:28} {statistics.median(times):9.2f} {max(times):7.2f}  {messages[name][:110]}")
    print(f"target <= {TARGET_S:g} s each: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
