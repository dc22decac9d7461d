"""Snapshot a wide schema on PostgreSQL and MariaDB; compare with MetaData.reflect() and bare catalog queries.

python bench/snapshot_bench.py [--tables 2000] [--big 10000] [--repeat 3] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import sqlalchemy as sa

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench.common import (
    MARIADB_HOST,
    PG_BASE,
    header,
    make_wide,
    mariadb_exists,
    mariadb_recreate,
    pg_exists,
    pg_recreate,
    sa_url,
    timed,
)
from core.domain.schema import Dialect
from core.introspection import introspect, mysql, postgres
from core.introspection.targets import TargetConfig, connect

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from core.domain.schema import Dialect
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.services.snapshots import encode_schema
def hwm():
    # VmHWM, not ru_maxrss: ru_maxrss keeps the parent's high-water mark across fork and exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
before = hwm()
t = TargetConfig(name="bench", dialect=Dialect({dialect!r}), url={url!r}, password=None)
start = time.perf_counter()
with connect(t) as conn:
    model = introspect(conn, t.dialect)
canonical = model.canonical_json()
model.checksum(canonical)
encode_schema(canonical)
elapsed = time.perf_counter() - start
peak = hwm()
print(json.dumps({{"tables": len(model.tables), "seconds": elapsed, "peak_rss_mb": peak,
                   "delta_rss_mb": peak - before}}))
"""


def ensure(dialect: str, n: int, rebuild: bool) -> str:
    name = f"sqldraft_bench_wide_{n}"
    if dialect == "postgresql":
        if rebuild or not pg_exists(name) or table_count(sa_url(f"{PG_BASE}/{name}")) != n:
            url = pg_recreate(name)
            make_wide(url, n)
        return sa_url(f"{PG_BASE}/{name}")
    if rebuild or not mariadb_exists(name) or table_count(sa_url(f"mysql://root@{MARIADB_HOST}/{name}")) != n:
        url = mariadb_recreate(name)
        make_wide(url, n)
    return sa_url(f"mysql://root@{MARIADB_HOST}/{name}")


def table_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        return len(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def child_run(dialect: str, url: str) -> dict:
    root = str(__import__("pathlib").Path(__file__).resolve().parent.parent)
    code = CHILD.format(root=root, dialect=dialect, url=url)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def bare_queries(dialect: str, url: str) -> None:
    target = TargetConfig(name="bench", dialect=Dialect(dialect), url=url, password=None)
    with connect(target) as conn:
        cur = conn.connection.dbapi_connection.cursor()
        if dialect == "postgresql":
            oids = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog','information_schema') "
                    "AND nspname NOT LIKE 'pg_toast%%' AND nspname NOT LIKE 'pg_temp_%%'"
                ).fetchall()
            ]
            for q in postgres.CATALOG_QUERIES:
                cur.execute(q, {"ns": oids})
                cur.fetchall()
        else:
            schema = url.rsplit("/", 1)[1]
            for q in mysql.CATALOG_QUERIES:
                cur.execute(q, {"schema": schema})
                cur.fetchall()


def ours(dialect: str, url: str) -> int:
    target = TargetConfig(name="bench", dialect=Dialect(dialect), url=url, password=None)
    with connect(target) as conn:
        model = introspect(conn, target.dialect)
    model.checksum()
    return len(model.tables)


def reflect(url: str) -> int:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    md.reflect(engine)
    engine.dispose()
    return len(md.tables)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--big", type=int, default=10000, help="also snapshot this many tables (0 to skip)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--dialects", default="postgresql,mysql")
    args = ap.parse_args()
    print(header(f"Snapshot of {args.tables} tables"))
    print(
        "| database | sqldraft snapshot | bare catalog queries | MetaData.reflect() | vs reflect | vs bare "
        "| peak RSS (child) |"
    )
    print("|---|---|---|---|---|---|---|")
    for dialect in args.dialects.split(","):
        url = ensure(dialect, args.tables, args.rebuild)
        ours(dialect, url)  # warm the server's catalog caches for every contender alike
        t_ours, _ = timed(lambda d=dialect, u=url: ours(d, u), args.repeat)
        t_bare, _ = timed(lambda d=dialect, u=url: bare_queries(d, u), args.repeat)
        t_reflect, _ = timed(lambda u=url: reflect(u), 1)
        mem = child_run(dialect, url)
        label = "PostgreSQL" if dialect == "postgresql" else "MariaDB"
        print(
            f"| {label} | {t_ours:.2f} s | {t_bare:.2f} s | {t_reflect:.2f} s | {t_reflect / t_ours:.1f}x faster "
            f"| {t_ours / t_bare:.2f}x | {mem['peak_rss_mb']:.0f} MB (+{mem['delta_rss_mb']:.0f} MB) |"
        )
    if args.big:
        print(
            f"\n### {args.big} tables (whole snapshot path: connect, introspect, canonical JSON, checksum, compress)\n"
        )
        print("| database | seconds | tables | peak RSS (child) |")
        print("|---|---|---|---|")
        for dialect in args.dialects.split(","):
            url = ensure(dialect, args.big, args.rebuild)
            child_run(dialect, url)
            mem = child_run(dialect, url)
            label = "PostgreSQL" if dialect == "postgresql" else "MariaDB"
            print(f"| {label} | {mem['seconds']:.2f} s | {mem['tables']} | {mem['peak_rss_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
