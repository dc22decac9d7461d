"""MCP under load: N concurrent sessions over streamable HTTP on loopback, on the 2,000-table wide schema.

A real `sqldraft-mcp --transport http` process (bearer token, SQLite store, offline generator) and the
official MCP client. Each session opens, then makes ``--calls`` calls alternating search_schema and
validate_sql (a valid query, and one naming an unknown table, which exercises the did-you-mean path).
Reports calls/s over the whole run, p50 / p95 / max of the client-side round trip, and errors.

python bench/mcp_load_bench.py [--sessions 50] [--calls 25] [--tables 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from bench.common import PG_BASE, header, make_wide, mcp_http_server, percentile, pg_exists, pg_recreate, sa_url
from bench.snapshot_bench import table_count
from core.bootstrap import build_copilot
from core.settings import Settings

TOKEN = "bench-token-bench-token-bench-token"
WORDS = ["code", "amount", "created", "parent", "invoice", "t00042", "t01999", "amount code", "created at"]


async def session(url: str, calls: int, tables: list[str], seed: int, times: list[float], errors: list[str]) -> None:
    rnd = random.Random(seed)
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    async with Client(streamable_http_client(url, http_client=http)) as client:
        for i in range(calls):
            if i % 2 == 0:
                name, args = "search_schema", {"connection": "wide", "query": rnd.choice(WORDS), "limit": 10}
            else:
                table = rnd.choice(tables) if i % 4 == 1 else f"{rnd.choice(tables)}x"
                sql = f"SELECT c.id, c.code FROM {table} AS c WHERE c.amount > 10 ORDER BY c.id LIMIT 100"
                name, args = "validate_sql", {"connection": "wide", "sql": sql}
            start = time.perf_counter()
            try:
                result = await client.call_tool(name, args)
                if result.is_error:
                    errors.append(f"{name}: {result.content[0].text}")  # type: ignore[union-attr]
            except Exception as exc:  # a transport error is a result here, not a crash of the bench
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
            times.append(time.perf_counter() - start)


async def load(url: str, sessions: int, calls: int, tables: list[str]) -> dict[str, Any]:
    times: list[float] = []
    errors: list[str] = []
    async with Client(streamable_http_client(url, http_client=httpx2.AsyncClient(
        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120
    ))) as warm:  # fmt: skip
        await warm.call_tool("search_schema", {"connection": "wide", "query": "warm up"})
        await warm.call_tool("validate_sql", {"connection": "wide", "sql": "SELECT 1"})
    start = time.perf_counter()
    await asyncio.gather(*(session(url, calls, tables, s, times, errors) for s in range(sessions)))
    wall = time.perf_counter() - start
    return {"calls": len(times), "wall": wall, "times": times, "errors": errors}


def server_cpu() -> float:
    """CPU seconds used so far by this process's children (the server), from /proc."""
    total = 0.0
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def prepare(tables_n: int) -> tuple[Path, str, list[str]]:
    name = f"sqldraft_bench_wide_{tables_n}"
    url = f"{PG_BASE}/{name}"
    if not pg_exists(name) or table_count(sa_url(url)) != tables_n:
        make_wide(pg_recreate(name), tables_n)
    folder = Path(tempfile.mkdtemp(prefix="mcp_load_"))
    store = f"sqlite:///{folder / 'store.db'}"
    copilot = build_copilot(Settings(data_dir=folder, store_url=store, secret_key=None, generator="offline"))
    copilot.add_connection("wide", url)
    copilot.refresh_snapshot("wide")
    tables = sorted(t.key for t in copilot.current_schema("wide")[1].tables)
    copilot.close()
    return folder, store, tables


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 50])
    ap.add_argument("--calls", type=int, default=25)
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    folder, store, tables = prepare(args.tables)
    env = {
        "SQLDRAFT_STORE_URL": store,
        "SQLDRAFT_DATA_DIR": str(folder),
        "SQLDRAFT_GENERATOR": "offline",
        "SQLDRAFT_MCP_TOKENS": f"bench:draft={TOKEN}",
        "SQLDRAFT_LOG_LEVEL": "WARNING",
    }
    rows = []
    with mcp_http_server(env) as mcp_url:
        for n in args.sessions:
            before = server_cpu()
            r = asyncio.run(load(mcp_url, n, args.calls, tables))
            r["server_cpu"] = server_cpu() - before
            rows.append((n, r))
    print(header(f"MCP load over streamable HTTP, {args.tables}-table snapshot {args.label}".rstrip()))
    print(f"Each session: {args.calls} calls alternating search_schema and validate_sql; SQLite store.\n")
    print("| sessions | calls | calls/s | p50 | p95 | max | errors | server CPU per call |")
    print("|---|---|---|---|---|---|---|---|")
    for n, r in rows:
        t = r["times"]
        print(
            f"| {n} | {r['calls']} | {r['calls'] / r['wall']:.0f} | {statistics.median(t) * 1000:.0f} ms "
            f"| {percentile(t, 95) * 1000:.0f} ms | {max(t) * 1000:.0f} ms | {len(r['errors'])} "
            f"| {r['server_cpu'] / r['calls'] * 1000:.1f} ms |"
        )
        for e in r["errors"][:3]:
            print(f"  error: {e[:200]}")


if __name__ == "__main__":
    main()
