"""MCP tool latency and result size over streamable HTTP, on the 2,000-table wide schema.

A real `sqldraft-mcp --transport http` process (bearer token, SQLite store, offline generator) and the
official MCP client: each tool is called `--calls` times with varied arguments; the figures are the
client-side round trip (JSON-RPC over loopback HTTP, auth, the core, serialization) and the size of
the JSON result an assistant reads.

python bench/mcp_latency.py [--calls 100] [--tables 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


async def measure(url: str, calls: int, tables: list[str]) -> dict[str, tuple[list[float], list[int]]]:
    rnd = random.Random(7)
    words = ["code", "amount", "created", "parent", "id", "t00042", "t01999", "amount code", "created at"]
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    out: dict[str, tuple[list[float], list[int]]] = {}
    async with Client(streamable_http_client(url, http_client=http)) as client:

        async def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
            start = time.perf_counter()
            result = await client.call_tool(name, args)
            elapsed = (time.perf_counter() - start) * 1000
            if result.is_error:
                raise RuntimeError(f"{name}: {result.content[0].text}")
            times, sizes = out.setdefault(name, ([], []))
            times.append(elapsed)
            sizes.append(len(json.dumps(result.structured_content)))
            return result.structured_content  # type: ignore[return-value]

        await call("list_connections", {})  # warm-up: the first call builds the retrieval index
        await call("search_schema", {"connection": "wide", "query": "warm up"})
        out.clear()
        drafts = []
        for _ in range(calls):
            table = rnd.choice(tables)
            await call("list_connections", {})
            await call("search_schema", {"connection": "wide", "query": rnd.choice(words), "limit": 10})
            await call("describe_table", {"connection": "wide", "table": table})
            sql = f"SELECT c.id, c.code FROM {table} AS c WHERE c.amount > 10 ORDER BY c.id LIMIT 100"
            await call("validate_sql", {"connection": "wide", "sql": sql})
            draft = await call("draft_sql", {"connection": "wide", "request": f"latest 10 {table} by created_at"})
            drafts.append(draft["id"])
            await call("get_draft", {"draft_id": draft["id"]})
            await call("list_history", {"page_size": 20})
        start = time.perf_counter()
        md = await client.read_resource("sqldraft://connections/wide/schema.md")
        out["resource schema.md"] = ([(time.perf_counter() - start) * 1000], [len(md.contents[0].text)])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument("--tables", type=int, default=2000)
    args = ap.parse_args()
    name = f"sqldraft_bench_wide_{args.tables}"
    url = f"{PG_BASE}/{name}"
    if not pg_exists(name) or table_count(sa_url(url)) != args.tables:
        make_wide(pg_recreate(name), args.tables)
    folder = Path(tempfile.mkdtemp(prefix="mcp_latency_"))
    store = f"sqlite:///{folder / 'store.db'}"
    copilot = build_copilot(Settings(data_dir=folder, store_url=store, secret_key=None, generator="offline"))
    copilot.add_connection("wide", url)
    copilot.refresh_snapshot("wide")
    tables = sorted(t.key for t in copilot.current_schema("wide")[1].tables)
    copilot.close()
    env = {
        "SQLDRAFT_STORE_URL": store,
        "SQLDRAFT_DATA_DIR": str(folder),
        "SQLDRAFT_GENERATOR": "offline",
        "SQLDRAFT_MCP_TOKENS": f"bench:draft+review={TOKEN}",
        "SQLDRAFT_LOG_LEVEL": "WARNING",
    }
    with mcp_http_server(env) as mcp_url:
        results = asyncio.run(measure(mcp_url, args.calls, tables))
    print(header(f"MCP tool round trips over streamable HTTP, {args.tables}-table snapshot"))
    print(f"{args.calls} calls of each tool after a warm-up; official MCP client, bearer token, SQLite store.\n")
    print("| tool | p50 | p95 | max | result size (JSON, median) |")
    print("|---|---|---|---|---|")
    for tool, (times, sizes) in results.items():
        print(
            f"| {tool} | {statistics.median(times):.1f} ms | {percentile(times, 95):.1f} ms | {max(times):.1f} ms "
            f"| {statistics.median(sizes) / 1024:.1f} KiB |"
        )


if __name__ == "__main__":
    main()
