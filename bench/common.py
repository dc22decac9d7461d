"""Helpers shared by the benchmarks: benchmark data, fresh databases, timing."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pymysql

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("SQLDRAFT_BENCH_DATA", ROOT.parent / "shared" / "bench"))
PG = os.environ.get("SQLDRAFT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_BASE = PG.rsplit("/", 1)[0]
MARIADB_HOST = os.environ.get("SQLDRAFT_TEST_MARIADB_HOST", "127.0.0.1")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def header(title: str) -> str:
    cmd = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    return (
        f"## {title}\n\nmachine: {machine()}  \ndate: {datetime.now(UTC).date().isoformat()}  \n"
        f"command: `python bench/{cmd}`\n"
    )


def pg_recreate(name: str) -> str:
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_BASE}/{name}"


def pg_exists(name: str) -> bool:
    with psycopg.connect(PG, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def mariadb_recreate(name: str) -> str:
    conn = pymysql.connect(host=MARIADB_HOST, user="root", password="", autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    conn.close()
    return f"mysql://root@{MARIADB_HOST}/{name}"


def mariadb_exists(name: str) -> bool:
    conn = pymysql.connect(host=MARIADB_HOST, user="root", password="", autocommit=True)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (name,))
        found = cur.fetchone() is not None
    conn.close()
    return found


def sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1).replace("mysql://", "mysql+pymysql://", 1)


def make_wide(url: str, n: int, batch: int = 300) -> None:
    """Create the shared wide schema; its DDL runs in batches (one transaction for 10,000 tables
    exceeds PostgreSQL's default max_locks_per_transaction)."""
    import importlib.util

    import sqlalchemy as sa

    spec = importlib.util.spec_from_file_location("wide_schema", DATA / "wide_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = sa.create_engine(sa_url(url))
    name = engine.dialect.name
    statements = module.ddl("mysql" if name in ("mysql", "mariadb") else name, n)
    for start in range(0, len(statements), batch):
        with engine.begin() as conn:
            for statement in statements[start : start + batch]:
                conn.exec_driver_sql(statement)
    engine.dispose()


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, list[float]]:
    """Median seconds over ``repeat`` runs, and all runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def mcp_http_server(env: dict[str, str], *extra: str) -> Iterator[str]:
    """A real `sqldraft-mcp --transport http` on a free loopback port (its log on stderr); yields the /mcp URL."""
    port = free_port()
    script = str(Path(sys.executable).with_name("sqldraft-mcp"))
    proc = subprocess.Popen([script, "--transport", "http", "--port", str(port), *extra], env=os.environ | env)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"sqldraft-mcp exited with {proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("sqldraft-mcp did not listen within 30 s") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)
