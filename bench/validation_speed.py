"""Validation speed with a 2,000-table snapshot loaded, against sqlfluff lint on the same statements.

python bench/validation_speed.py [--tables 2000] [--statements 300] [--sqlfluff 60]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG_BASE, header, make_wide, percentile, pg_exists, pg_recreate, sa_url
from bench.snapshot_bench import table_count
from core.domain.schema import Dialect, SchemaModel
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.validation.engine import Validator
from core.validation.names import SchemaIndex


def typical_statements(model: SchemaModel, n: int, seed: int = 11) -> list[str]:
    """Reads, joins along foreign keys, aggregates and filtered writes, like drafts are."""
    rnd = random.Random(seed)
    tables = [t for t in model.tables if t.foreign_keys]
    out = []
    for i in range(n):
        t = rnd.choice(tables)
        fk = t.foreign_keys[0]
        cols = [c.name for c in t.columns if c.name != "id"]
        a, b = rnd.sample(cols, 2)
        kind = i % 6
        if kind == 0:
            out.append(f"SELECT id, {a}, {b} FROM {t.name} WHERE id = {i} ")
        elif kind == 1:
            out.append(
                f"SELECT c.id, c.{a}, p.id AS parent_id FROM {t.name} c JOIN {fk.ref_table} p "
                f"ON p.id = c.{fk.columns[0]} WHERE c.{b} IS NOT NULL ORDER BY c.id DESC LIMIT 50"
            )
        elif kind == 2:
            out.append(
                f"SELECT {a}, count(*) AS n FROM {t.name} GROUP BY {a} HAVING count(*) > 1 ORDER BY n DESC LIMIT 10"
            )
        elif kind == 3:
            out.append(
                f"WITH recent AS (SELECT id, {fk.columns[0]} FROM {t.name} WHERE id > {i}) "
                f"SELECT p.id, count(r.id) FROM {fk.ref_table} p JOIN recent r ON r.{fk.columns[0]} = p.id "
                "GROUP BY p.id"
            )
        elif kind == 4:
            out.append(f"UPDATE {t.name} SET {a} = NULL WHERE id = {i}")
        else:
            out.append(
                f"SELECT id FROM {t.name} WHERE {fk.columns[0]} IN (SELECT id FROM {fk.ref_table} "
                f"WHERE id < {i}) AND {b} IS NULL"
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--statements", type=int, default=300)
    ap.add_argument("--sqlfluff", type=int, default=60, help="statements to lint with sqlfluff (it is slow)")
    args = ap.parse_args()
    name = f"sqldraft_bench_wide_{args.tables}"
    url = f"{PG_BASE}/{name}"
    if not pg_exists(name) or table_count(sa_url(url)) != args.tables:
        make_wide(pg_recreate(name), args.tables)
    with connect(TargetConfig("bench", Dialect.POSTGRESQL, sa_url(url), None)) as conn:
        model = introspect(conn, Dialect.POSTGRESQL)
    start = time.perf_counter()
    validator = Validator(SchemaIndex(model))
    build = time.perf_counter() - start
    statements = typical_statements(model, args.statements)
    for sql in statements[:20]:
        validator.validate(sql, "dml")  # warm
    times = []
    errors = 0
    for sql in statements:
        t0 = time.perf_counter()
        result = validator.validate(sql, "dml")
        times.append((time.perf_counter() - t0) * 1000)
        errors += bool(result.errors)
    tracemalloc.start()  # a separate pass: tracing slows Python down
    for sql in statements:
        validator.validate(sql, "dml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    import sqlfluff

    sample = statements[: args.sqlfluff]
    t0 = time.perf_counter()
    for sql in sample:
        sqlfluff.lint(sql, dialect="postgres")
    fluff_per = (time.perf_counter() - t0) * 1000 / len(sample)
    ours_sample = statistics.mean(times[: len(sample)])
    script = ";\n".join(statements * max(1, 250_000 // sum(len(s) + 2 for s in statements)))[:250_000]
    script = script[: script.rfind(";")]
    t0 = time.perf_counter()
    validator.validate(script, "dml")
    big = time.perf_counter() - t0
    print(header(f"Validation speed, {args.tables}-table PostgreSQL snapshot"))
    print(
        f"{len(statements)} typical statements (reads, joins on foreign keys, aggregates, CTEs, filtered updates; "
        f"{errors} with an error finding), validated one by one after warm-up.\n"
    )
    print("| measure | result |")
    print("|---|---|")
    print(f"| schema index built once per snapshot | {build * 1000:.0f} ms |")
    print(f"| p50 per statement | {statistics.median(times):.2f} ms |")
    print(f"| p95 per statement | {percentile(times, 95):.2f} ms |")
    print(f"| p99 per statement | {percentile(times, 99):.2f} ms |")
    print(f"| max per statement | {max(times):.2f} ms |")
    print(
        f"| sqlfluff {sqlfluff.__version__} `lint` (dialect postgres), mean of {len(sample)} of the same statements "
        f"| {fluff_per:.1f} ms |"
    )
    print(f"| sqldraft, mean of the same {len(sample)} statements | {ours_sample:.2f} ms |")
    print(f"| speed-up over sqlfluff | {fluff_per / ours_sample:.0f}x |")
    print(f"| Python heap peak while validating (tracemalloc) | {peak / 1024 / 1024:.1f} MB |")
    print(f"| one 250 KB script ({script.count(';') + 1} statements) | {big:.2f} s |")


if __name__ == "__main__":
    main()
