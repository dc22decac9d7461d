"""sqldraft and DBHub side by side over stdio, with the same official MCP Python client, on the 2,000-table schema.

DBHub (npm @bytebase/dbhub) is installed into bench/.dbhub/ (ignored; not a dependency), and runs on the
Node 22 of bench/.conformance/ (see bench/mcp_conformance.py):

    npm install --prefix bench/.dbhub @bytebase/dbhub
    python bench/dbhub_compare.py [--calls 20]

Three tasks, each the median of ``--calls`` calls after a warm-up, with the characters of the text an
assistant reads: finding tables about invoices (sqldraft search_schema; DBHub search_objects, summary),
describing one table (describe_table; DBHub search_objects on its columns and its indexes, full), and
validating a query (validate_sql, static against the snapshot; DBHub execute_sql with EXPLAIN on the server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mcp.client import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from bench.common import PG_BASE, ROOT, header
from bench.mcp_load_bench import prepare

NODE = ROOT / "bench" / ".conformance" / "node_modules" / ".bin" / "node"
DBHUB = ROOT / "bench" / ".dbhub" / "node_modules" / ".bin" / "dbhub"
TABLE = "invoice_0042"
QUERY = f"SELECT id, c0_amount FROM {TABLE} WHERE c0_amount > 10 ORDER BY id LIMIT 100"

Call = tuple[str, dict[str, Any]]


def tasks_sqldraft() -> dict[str, list[Call]]:
    return {
        "find tables about invoices": [("search_schema", {"connection": "wide", "query": "invoices", "limit": 10})],
        "describe one table": [("describe_table", {"connection": "wide", "table": TABLE})],
        "validate a query": [("validate_sql", {"connection": "wide", "sql": QUERY})],
    }


def tasks_dbhub() -> dict[str, list[Call]]:
    return {
        "find tables about invoices": [
            ("search_objects", {"object_type": "table", "pattern": "%invoice%", "detail_level": "summary"})
        ],
        "describe one table": [
            ("search_objects", {"object_type": "column", "schema": "public", "table": TABLE, "detail_level": "full"}),
            ("search_objects", {"object_type": "index", "schema": "public", "table": TABLE, "detail_level": "full"}),
        ],
        "validate a query": [("execute_sql", {"sql": f"EXPLAIN {QUERY}"})],
    }


async def measure(params: StdioServerParameters, tasks: dict[str, list[Call]], calls: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with Client(stdio_client(params)) as client:
        for task, steps in tasks.items():
            times, size = [], 0
            for i in range(calls + 2):
                start = time.perf_counter()
                size = 0
                for name, args in steps:
                    result = await client.call_tool(name, args)
                    if result.is_error:
                        raise RuntimeError(f"{name}: {result.content[0].text}")  # type: ignore[union-attr]
                    size += sum(len(getattr(c, "text", "")) for c in result.content)
                if i >= 2:  # two warm-up rounds
                    times.append((time.perf_counter() - start) * 1000)
            out[task] = (statistics.median(times), size)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20)
    args = ap.parse_args()
    if not DBHUB.exists() or not NODE.exists():
        raise SystemExit("install DBHub and Node 22 first (see this file's docstring)")
    folder, store, _ = prepare(2000)
    env = os.environ | {
        "SQLDRAFT_STORE_URL": store, "SQLDRAFT_DATA_DIR": str(folder), "SQLDRAFT_GENERATOR": "offline",
        "SQLDRAFT_LOG_LEVEL": "WARNING",
    }  # fmt: skip
    sqldraft = StdioServerParameters(command=str(Path(sys.executable).with_name("sqldraft-mcp")), env=env)
    dsn = f"{PG_BASE.replace('postgresql://', 'postgres://')}/sqldraft_bench_wide_2000?sslmode=disable"
    dbhub = StdioServerParameters(command=str(NODE), args=[str(DBHUB), "--transport", "stdio", "--dsn", dsn])
    ours = asyncio.run(measure(sqldraft, tasks_sqldraft(), args.calls))
    theirs = asyncio.run(measure(dbhub, tasks_dbhub(), args.calls))
    print(header("sqldraft and DBHub over stdio, 2,000-table schema"))
    print(f"Median of {args.calls} calls (after 2 warm-up rounds), same official MCP Python client; text characters.\n")
    print("| task | sqldraft | DBHub |\n|---|---|---|")
    for task in ours:
        (a, sa), (b, sb) = ours[task], theirs[task]
        print(f"| {task} | {a:.1f} ms, {sa:,} chars | {b:.1f} ms, {sb:,} chars |")


if __name__ == "__main__":
    main()
