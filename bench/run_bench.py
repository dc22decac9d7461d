"""What ``run`` costs over the bare driver, and that a capped run never holds the whole table.

1. Overhead: ``Copilot.run`` of an approved ``SELECT`` returning 1,000 rows against the same read done
   with the bare driver (psycopg / pymysql), p50/p95 over ``--runs`` runs after a warm-up, on PostgreSQL
   and MariaDB. ``run`` opens a fresh read-only session for every run (the policy, the target from the
   store, BEGIN READ ONLY and its timeouts, fetchmany, rollback, the audit event), so the bare driver is
   timed twice: with a fresh connection per read (the like-for-like baseline) and on one open
   connection (the floor).
2. Memory: the tracemalloc peak of a run capped at 10,000 rows of a 1,000,000-row table, beside the peak
   of the bare driver's ``fetchall`` of just 10,000 rows (what holding the capped rows costs) and of
   100,000 rows (a tenth of the table: holding it would be ten times that).

python bench/run_bench.py [--runs 200] [--dialect postgresql|mysql|both]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
import pymysql
from cryptography.fernet import Fernet

from bench.common import (
    MARIADB_HOST,
    PG_BASE,
    header,
    mariadb_exists,
    mariadb_recreate,
    percentile,
    pg_exists,
    pg_recreate,
)
from core.bootstrap import build_copilot
from core.settings import Settings

DB = "sqldraft_bench_run"
SMALL = "SELECT id, name, amount, created_at FROM small_rows ORDER BY id"
BIG = "SELECT id, name, amount, created_at FROM big_rows"
BIG_ROWS = 1_000_000

PG_SETUP = (
    "CREATE TABLE small_rows (id int PRIMARY KEY, name text NOT NULL, amount numeric(12,2), created_at timestamptz)",
    "INSERT INTO small_rows SELECT g, 'customer ' || g, g * 1.25, now() - g * interval '1 minute' "
    "FROM generate_series(1, 1000) g",
    "CREATE TABLE big_rows (id int PRIMARY KEY, name text NOT NULL, amount numeric(12,2), created_at timestamptz)",
    f"INSERT INTO big_rows SELECT g, 'customer ' || g, g * 1.25, now() - g * interval '1 second' "
    f"FROM generate_series(1, {BIG_ROWS}) g",
    "ANALYZE",
)
MY_SETUP = (
    "CREATE TABLE small_rows (id int PRIMARY KEY, name varchar(40) NOT NULL, amount decimal(12,2), "
    "created_at datetime)",
    "INSERT INTO small_rows SELECT seq, CONCAT('customer ', seq), seq * 1.25, NOW() - INTERVAL seq MINUTE "
    "FROM seq_1_to_1000",
    "CREATE TABLE big_rows (id int PRIMARY KEY, name varchar(40) NOT NULL, amount decimal(12,2), created_at datetime)",
    f"INSERT INTO big_rows SELECT seq, CONCAT('customer ', seq), seq * 1.25, NOW() - INTERVAL seq SECOND "
    f"FROM seq_1_to_{BIG_ROWS}",
    "ANALYZE TABLE small_rows, big_rows",
)


def pg_url() -> str:
    if pg_exists(DB):
        with psycopg.connect(f"{PG_BASE}/{DB}") as c:
            row = c.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'big_rows'").fetchone()
            if row and row[0]:
                return f"{PG_BASE}/{DB}"
    url = pg_recreate(DB)
    with psycopg.connect(url, autocommit=True) as c:
        for s in PG_SETUP:
            c.execute(s)
    return url


def my_url() -> str:
    url = f"mysql://root@{MARIADB_HOST}/{DB}"
    if mariadb_exists(DB):
        conn = pymysql.connect(host=MARIADB_HOST, user="root", password="", database=DB)
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (DB,))
            done = cur.fetchone()[0] == 2
        conn.close()
        if done:
            return url
    url = mariadb_recreate(DB)
    conn = pymysql.connect(host=MARIADB_HOST, user="root", password="", database=DB, autocommit=True)
    with conn.cursor() as cur:
        for s in MY_SETUP:
            cur.execute(s)
    conn.close()
    return url


# --- the bare driver ------------------------------------------------------------------------------


def pg_bare(url: str) -> tuple[Callable[[str, int], int], Callable[[str, int], int]]:
    """(fresh connection per read, one open connection) readers: BEGIN READ ONLY, fetchmany, rollback."""
    open_conn = psycopg.connect(url)

    def read(conn: psycopg.Connection[Any], sql: str, cap: int) -> int:
        conn.execute("BEGIN READ ONLY")
        with conn.cursor(name=None) as cur:
            cur.execute(sql)
            n = len(cur.fetchmany(cap))
        conn.rollback()
        return n

    def fresh(sql: str, cap: int) -> int:
        with psycopg.connect(url) as conn:
            return read(conn, sql, cap)

    return fresh, lambda sql, cap: read(open_conn, sql, cap)


def my_bare(url: str) -> tuple[Callable[[str, int], int], Callable[[str, int], int]]:
    def connect() -> pymysql.connections.Connection[Any]:
        return pymysql.connect(host=MARIADB_HOST, user="root", password="", database=DB, charset="utf8mb4")

    open_conn = connect()

    def read(conn: pymysql.connections.Connection[Any], sql: str, cap: int) -> int:
        with conn.cursor(pymysql.cursors.SSCursor) as cur:
            cur.execute("START TRANSACTION READ ONLY")
            cur.execute(sql)
            n = len(cur.fetchmany(cap))
        conn.rollback()
        return n

    def fresh(sql: str, cap: int) -> int:
        conn = connect()
        try:
            return read(conn, sql, cap)
        finally:
            conn.close()

    return fresh, lambda sql, cap: read(open_conn, sql, cap)


# --- measuring ------------------------------------------------------------------------------------


def latencies(fn: Callable[[], object], runs: int) -> list[float]:
    for _ in range(max(5, runs // 20)):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def peak_mib(fn: Callable[[], object]) -> tuple[float, float]:
    """(tracemalloc peak in MiB, seconds) of one call."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, elapsed


def bench(dialect: str, runs: int, folder: Path) -> list[str]:
    url = pg_url() if dialect == "postgresql" else my_url()
    fresh, warm = pg_bare(url) if dialect == "postgresql" else my_bare(url)
    settings = Settings(
        store_url=f"sqlite:///{folder / f'{dialect}.db'}",
        secret_key=Fernet.generate_key().decode(),
        data_dir=folder / "data",
        run_max_rows=10_000,
    )
    copilot = build_copilot(settings)
    try:
        copilot.add_connection("bench", url)
        copilot.refresh_snapshot("bench")
        drafts = {}
        for name, sql in (("small", SMALL), ("big", BIG)):
            draft = copilot.submit_sql("bench", sql, requester="cli:bench")
            copilot.review(draft.id, "approved", "cli:reviewer", note="benchmark", override=True)
            drafts[name] = draft.id
        first = copilot.run(drafts["small"], principal="cli:bench", limit=1000)
        assert first.row_count == 1000 and not first.truncated, (first.row_count, first.truncated)
        assert fresh(SMALL, 1000) == 1000
        results = {
            "`Copilot.run` (limit 1,000)": latencies(
                lambda: copilot.run(drafts["small"], principal="cli:bench", limit=1000), runs
            ),
            "bare driver, fresh connection": latencies(lambda: fresh(SMALL, 1001), runs),
            "bare driver, open connection": latencies(lambda: warm(SMALL, 1001), runs),
        }
        capped: dict[str, Any] = {}
        mem_run, t_run = peak_mib(
            lambda: capped.setdefault("r", copilot.run(drafts["big"], principal="cli:bench", limit=10_000))
        )
        mem_10k, t_10k = peak_mib(lambda: _fetchall(dialect, url, BIG + " LIMIT 10000"))
        mem_100k, t_100k = peak_mib(lambda: _fetchall(dialect, url, BIG + " LIMIT 100000"))
    finally:
        copilot.close()
    r = capped["r"]
    name = "PostgreSQL" if dialect == "postgresql" else "MariaDB"
    base = results["bare driver, fresh connection"]
    lines = [
        f"### {name}",
        "",
        "| 1,000-row read | p50 | p95 |",
        "|---|---|---|",
        *[f"| {k} | {percentile(v, 50):.1f} ms | {percentile(v, 95):.1f} ms |" for k, v in results.items()],
        "",
        f"Overhead of `run` over the bare driver with a fresh connection: "
        f"{percentile(results['`Copilot.run` (limit 1,000)'], 50) - percentile(base, 50):+.1f} ms at p50, "
        f"{percentile(results['`Copilot.run` (limit 1,000)'], 95) - percentile(base, 95):+.1f} ms at p95.",
        "",
        f"| {BIG_ROWS:,}-row table | tracemalloc peak | time |",
        "|---|---|---|",
        f"| `Copilot.run`, limit 10,000 (returned {r.row_count:,} rows, truncated by {r.truncated_by}) "
        f"| {mem_run:.1f} MiB | {t_run * 1000:.0f} ms |",
        f"| bare `fetchall` of 10,000 rows | {mem_10k:.1f} MiB | {t_10k * 1000:.0f} ms |",
        f"| bare `fetchall` of 100,000 rows | {mem_100k:.1f} MiB | {t_100k * 1000:.0f} ms |",
        "",
    ]
    return lines


def _fetchall(dialect: str, url: str, sql: str) -> int:
    if dialect == "postgresql":
        with psycopg.connect(url) as conn:
            return len(conn.execute(sql).fetchall())
    conn = pymysql.connect(host=MARIADB_HOST, user="root", password="", database=DB, charset="utf8mb4")
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return len(cur.fetchall())
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--dialect", default="both", choices=["postgresql", "mysql", "both"])
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="run_bench_"))
    dialects = ["postgresql", "mysql"] if args.dialect == "both" else [args.dialect]
    out = [header("Running approved reads (issue 14)"), ""]
    for dialect in dialects:
        out += bench(dialect, args.runs, folder)
    print("\n".join(out))


if __name__ == "__main__":
    main()
