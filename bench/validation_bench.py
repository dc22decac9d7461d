"""Validator precision and recall on Spider: gold queries must give no error; one mutation each must be caught.

python bench/validation_bench.py [--dialects sqlite,mysql,postgresql] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg
import pymysql
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import MARIADB_HOST, PG_BASE, header
from bench.spider import PG_DATABASE, create_mariadb, create_postgres, create_sqlite, load_questions, load_schemas
from core.domain.schema import Dialect, SchemaModel
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.validation.engine import Validator
from core.validation.model import RiskLevel, Severity
from core.validation.names import SchemaIndex


def snapshot(dialect: Dialect, url: str) -> SchemaModel:
    sa = url.replace("postgresql://", "postgresql+psycopg://").replace("mysql://", "mysql+pymysql://")
    with connect(TargetConfig("bench", dialect, sa, None, statement_timeout=600)) as conn:
        return introspect(conn, dialect)


def mutate(sql: str, seed: int, tables: set[str], columns: set[str]) -> tuple[str, str, str] | None:
    """Rename one table or column reference to a name that does not exist: (sql, kind, new name)."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return None
    candidates = []
    for node in tree.find_all(exp.Table):
        if isinstance(node.this, exp.Identifier) and node.name.lower() in tables:
            candidates.append(("table", node.this))
    for node in tree.find_all(exp.Column):
        if isinstance(node.this, exp.Identifier) and node.name.lower() in columns:
            candidates.append(("column", node.this))
    candidates = [(k, i) for k, i in candidates if isinstance(i.meta.get("start"), int)]
    if not candidates:
        return None
    kind, ident = random.Random(seed).choice(candidates)
    start, end = ident.meta["start"], ident.meta["end"] + 1
    new = ident.this + "_zq"
    replacement = f'"{new}"' if ident.quoted else new
    return sql[:start] + replacement + sql[end:], kind, new


def qualify_rejects(sql: str, model: SchemaModel) -> bool:
    mapping = {t.name: {c.name: "TEXT" for c in t.columns} for t in model.tables}
    try:
        qualify(
            sqlglot.parse_one(sql, read="sqlite"),
            schema=MappingSchema(mapping, dialect="sqlite"),
            dialect="sqlite",
            validate_qualify_columns=True,
        )
    except Exception:
        return True
    return False


def server_rejects(dialect: Dialect, url: str, schema: str | None, sql: str) -> str | None:
    """The server's own verdict through EXPLAIN (never executes): the error text, or None."""
    try:
        if dialect is Dialect.POSTGRESQL:
            with psycopg.connect(url) as conn:
                conn.execute("SET TRANSACTION READ ONLY")
                conn.execute(f'SET LOCAL search_path TO "{schema}"')
                conn.execute("EXPLAIN " + sql)
                conn.rollback()
        elif dialect is Dialect.MYSQL:
            db = url.rsplit("/", 1)[1]
            conn = pymysql.connect(host=MARIADB_HOST, user="root", password="", database=db)
            try:
                with conn.cursor() as cur:
                    cur.execute("EXPLAIN " + sql.replace("%", "%%"))
            finally:
                conn.close()
        else:
            import sqlite3

            conn = sqlite3.connect(f"file:{url}?mode=ro", uri=True)
            try:
                conn.execute("EXPLAIN " + sql).fetchall()
            finally:
                conn.close()
    except Exception as exc:  # the server's rejection is the measurement
        return str(exc).splitlines()[0][:160]
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialects", default="sqlite,mysql,postgresql")
    ap.add_argument("--show", type=int, default=15, help="list this many error findings on gold queries")
    args = ap.parse_args()
    dbs = load_schemas()
    questions = load_questions()
    used = sorted({q["db_id"] for q in questions})
    print(header("Validator on Spider dev (dev_part_a.json)"))
    print(f"{len(questions)} gold queries on {len(used)} databases; all {len(dbs)} databases of tables.json created.\n")
    rows = []
    details = []
    risky: Counter[str] = Counter()
    risky_rules: Counter[str] = Counter()
    case_note = ""
    for name in args.dialects.split(","):
        dialect = Dialect(name)
        start = time.perf_counter()
        models: dict[str, SchemaModel] = {}
        locations: dict[str, str] = {}
        if dialect is Dialect.SQLITE:
            folder = Path(tempfile.mkdtemp(prefix="spider_sqlite_"))
            for db in dbs:
                path = create_sqlite(db, folder)
                if db.db_id in used:
                    models[db.db_id] = snapshot(dialect, f"sqlite:///{path}")
                    locations[db.db_id] = str(path)
        elif dialect is Dialect.MYSQL:
            urls = create_mariadb(dbs)
            for db_id in used:
                models[db_id] = snapshot(dialect, urls[db_id])
                locations[db_id] = urls[db_id]
        else:
            url = create_postgres(dbs)
            whole = snapshot(dialect, url)
            for db_id in used:
                schema = db_id.lower()
                models[db_id] = SchemaModel(
                    dialect=dialect,
                    tables=[t for t in whole.tables if t.schema == schema],
                    server_version=whole.server_version,
                    default_schema=schema,
                    schemas=[schema],
                )
                locations[db_id] = f"{PG_BASE}/{PG_DATABASE}"
        setup = time.perf_counter() - start
        if dialect is Dialect.MYSQL:
            # The same snapshots read as a case-insensitive server (lower_case_table_names=1, the default on
            # Windows and macOS): everything but the table-name case rule.
            insensitive = {}
            for db_id, m in models.items():
                clone = SchemaModel.from_canonical(m.canonical(), m.stats())
                clone.properties["lower_case_table_names"] = 1
                insensitive[db_id] = Validator(SchemaIndex(clone))
            ci_errors = sum(1 for q in questions if insensitive[q["db_id"]].validate(q["query"], "query").errors)
            case_note = (
                f"\nMariaDB with the snapshots read as lower_case_table_names=1 (case-insensitive table "
                f"names): {ci_errors} of {len(questions)} gold queries with an error finding."
            )
        validators = {db_id: Validator(SchemaIndex(m)) for db_id, m in models.items()}
        with_errors = 0
        rules: Counter[str] = Counter()
        confirmed = unconfirmed = 0
        caught = mutated = 0
        missed = []
        qualify_rejected = 0
        for i, q in enumerate(questions):
            validator = validators[q["db_id"]]
            result = validator.validate(q["query"], "query")
            if result.risk_level.rank > RiskLevel.LOW.rank:
                risky[dialect.value] += 1
                risky_rules.update(f"{dialect.value}:{f.rule}" for f in result.findings if f.risk and f.risk.rank > 1)
            errors = [f for f in result.findings if f.severity is Severity.ERROR]
            if errors:
                with_errors += 1
                rules.update(f.rule for f in errors)
                verdict = server_rejects(dialect, locations[q["db_id"]], q["db_id"].lower(), q["query"])
                if verdict is None:
                    unconfirmed += 1
                else:
                    confirmed += 1
                if len(details) < args.show * 3:
                    details.append((dialect.value, q["query"], [f"{f.rule}: {f.message}" for f in errors], verdict))
            if dialect is Dialect.SQLITE and qualify_rejects(q["query"], models[q["db_id"]]):
                qualify_rejected += 1
            model = models[q["db_id"]]
            m = mutate(
                q["query"],
                i,
                {t.name.lower() for t in model.tables},
                {c.name.lower() for t in model.tables for c in t.columns},
            )
            if m is None:
                continue
            mutated += 1
            sql, kind, new = m
            expected = "schema.unknown_table" if kind == "table" else "schema.unknown_column"
            found = validator.validate(sql, "query").findings
            if any(f.rule == expected and new.lower() in f.message.lower() for f in found):
                caught += 1
            else:
                missed.append((dialect.value, sql, [f.rule for f in found]))
        rows.append(
            (
                dialect,
                len(questions),
                with_errors,
                confirmed,
                unconfirmed,
                dict(rules),
                mutated,
                caught,
                qualify_rejected,
                setup,
            )
        )
    print("gold queries rated above low risk (a benign read flagged): " + json.dumps(dict(risky)))
    if risky_rules:
        print("rules behind them: " + json.dumps(dict(risky_rules)))
    print()
    print(
        "| database | gold queries | with an error finding | confirmed by the server (EXPLAIN) | not confirmed "
        "| mutations | caught by the right rule | setup |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for d, n, errs, conf, unconf, _rules, mut, caught, _qr, setup in rows:
        print(
            f"| {d.value} | {n} | {errs} ({errs / n:.1%}) | {conf} | {unconf} | {mut} "
            f"| {caught} ({caught / max(mut, 1):.1%}) | {setup:.0f} s |"
        )
    for d, *_rest in rows:
        rules = _rest[4]
        if rules:
            print(f"\nerror rules on gold queries, {d.value}: {rules}")
    if case_note:
        print(case_note)
    sqlite_row = next((r for r in rows if r[0] is Dialect.SQLITE), None)
    if sqlite_row:
        print(
            f"\nbaseline: sqlglot qualify(validate_qualify_columns=True) rejects {sqlite_row[8]} of "
            f"{sqlite_row[1]} gold queries ({sqlite_row[8] / sqlite_row[1]:.1%}) on the same SQLite schemas"
        )
    if details:
        print("\nerror findings on gold queries (first ones):")
        for d, sql, errs, verdict in details[: args.show]:
            print(f"- [{d}] `{sql}`\n  - {'; '.join(errs)}\n  - server: {verdict or 'accepted'}")
    if missed:
        print("\nmutations not caught (first ones):")
        for d, sql, found in missed[:10]:
            print(f"- [{d}] `{sql}` -> {found}")


if __name__ == "__main__":
    main()
