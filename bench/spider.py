"""Create Spider's databases (empty) in SQLite, PostgreSQL and MariaDB from tables.json.

PostgreSQL: one database, one schema per Spider database, names lower-cased (as a PostgreSQL user would
create them unquoted). MariaDB: one database per Spider database, named ``spider_<db_id>``. SQLite: one
file per database. Types: text and key columns as text/varchar, number as numeric/double.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pymysql

from bench.common import DATA, MARIADB_HOST, PG, PG_BASE

PG_DATABASE = "sqldraft_bench_spider"


@dataclass
class SpiderTable:
    name: str
    columns: list[tuple[str, str]]
    primary_key: list[str]


@dataclass
class SpiderDb:
    db_id: str
    tables: list[SpiderTable]
    foreign_keys: list[tuple[str, str, str, str]]
    """(table, column, ref_table, ref_column)."""


def load_schemas(path: Path | None = None) -> list[SpiderDb]:
    out = []
    for d in json.loads((path or DATA / "spider" / "tables.json").read_text()):
        names = d["table_names_original"]
        cols: dict[int, list[tuple[str, str]]] = {i: [] for i in range(len(names))}
        by_index: dict[int, tuple[int, str]] = {}
        seen: dict[int, set[str]] = {i: set() for i in range(len(names))}
        for idx, ((t, cname), ctype) in enumerate(zip(d["column_names_original"], d["column_types"], strict=True)):
            if t < 0 or cname.lower() in seen[t]:
                continue
            seen[t].add(cname.lower())
            cols[t].append((cname, ctype))
            by_index[idx] = (t, cname)
        pks: dict[int, list[str]] = {i: [] for i in range(len(names))}
        for pk in d["primary_keys"]:
            for idx in pk if isinstance(pk, list) else [pk]:
                if idx in by_index:
                    t, cname = by_index[idx]
                    pks[t].append(cname)
        fks = []
        for a, b in d["foreign_keys"]:
            if a in by_index and b in by_index:
                (ta, ca), (tb, cb) = by_index[a], by_index[b]
                fks.append((names[ta], ca, names[tb], cb))
        # sqlite_sequence is SQLite's own bookkeeping table, dumped into one Spider schema
        tables = [
            SpiderTable(names[i], cols[i], pks[i])
            for i in range(len(names))
            if not names[i].lower().startswith("sqlite_")
        ]
        fks = [fk for fk in fks if not fk[0].lower().startswith("sqlite_") and not fk[2].lower().startswith("sqlite_")]
        out.append(SpiderDb(d["db_id"], tables, fks))
    return out


def load_questions(path: Path | None = None) -> list[dict[str, str]]:
    return json.loads((path or DATA / "spider" / "dev_part_a.json").read_text())


def _q(name: str, quote: str) -> str:
    return quote + name.replace(quote, quote * 2) + quote


def sqlite_ddl(db: SpiderDb) -> list[str]:
    out = []
    fks_by_table: dict[str, list[tuple[str, str, str]]] = {}
    for t, c, rt, rc in db.foreign_keys:
        fks_by_table.setdefault(t, []).append((c, rt, rc))
    for t in db.tables:
        parts = [f"{_q(c, chr(34))} {ctype}" for c, ctype in t.columns]
        if t.primary_key:
            parts.append(f"PRIMARY KEY ({', '.join(_q(c, chr(34)) for c in t.primary_key)})")
        for c, rt, rc in fks_by_table.get(t.name, []):
            parts.append(f"FOREIGN KEY ({_q(c, chr(34))}) REFERENCES {_q(rt, chr(34))} ({_q(rc, chr(34))})")
        out.append(f"CREATE TABLE {_q(t.name, chr(34))} ({', '.join(parts)})")
    return out


def create_sqlite(db: SpiderDb, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{db.db_id}.sqlite"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    for statement in sqlite_ddl(db):
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def _pg_type(ctype: str) -> str:
    return "numeric" if ctype == "number" else "text"


def create_postgres(dbs: list[SpiderDb]) -> str:
    """All databases as schemas of one PostgreSQL database; returns its URL."""
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    url = f"{PG_BASE}/{PG_DATABASE}"
    with psycopg.connect(url, autocommit=True) as conn:
        for db in dbs:
            schema = _q(db.db_id.lower(), '"')
            conn.execute(f"CREATE SCHEMA {schema}")
            for t in db.tables:
                parts = [f"{_q(c.lower(), chr(34))} {_pg_type(ctype)}" for c, ctype in t.columns]
                if t.primary_key:
                    parts.append(f"PRIMARY KEY ({', '.join(_q(c.lower(), chr(34)) for c in t.primary_key)})")
                conn.execute(f"CREATE TABLE {schema}.{_q(t.name.lower(), chr(34))} ({', '.join(parts)})")
            for i, (t, c, rt, rc) in enumerate(db.foreign_keys):
                # Spider declares some foreign keys to non-unique columns; PostgreSQL refuses those
                with contextlib.suppress(psycopg.Error):
                    conn.execute(
                        f"ALTER TABLE {schema}.{_q(t.lower(), chr(34))} ADD CONSTRAINT fk_{i} FOREIGN KEY "
                        f"({_q(c.lower(), chr(34))}) REFERENCES {schema}.{_q(rt.lower(), chr(34))} "
                        f"({_q(rc.lower(), chr(34))})"
                    )
    return url


def _my_type(ctype: str, key: bool) -> str:
    if ctype == "number":
        return "double"
    return "varchar(255)" if key else "text"


def create_mariadb(dbs: list[SpiderDb]) -> dict[str, str]:
    """One MariaDB database per Spider database; returns db_id -> URL."""
    conn = pymysql.connect(host=MARIADB_HOST, user="root", password="", autocommit=True)
    urls = {}
    with conn.cursor() as cur:
        for db in dbs:
            name = f"spider_{db.db_id}"
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            keys = {(t, c) for t, c, _, _ in db.foreign_keys} | {(t, c) for _, _, t, c in db.foreign_keys}
            for t in db.tables:
                keys |= {(t.name, c) for c in t.primary_key}
            for t in db.tables:
                parts = [f"{_q(c, '`')} {_my_type(ctype, (t.name, c) in keys)}" for c, ctype in t.columns]
                if t.primary_key:
                    parts.append(f"PRIMARY KEY ({', '.join(_q(c, '`') for c in t.primary_key)})")
                cur.execute(f"CREATE TABLE `{name}`.{_q(t.name, '`')} ({', '.join(parts)}) ENGINE=InnoDB")
            for i, (t, c, rt, rc) in enumerate(db.foreign_keys):
                with contextlib.suppress(pymysql.Error):
                    cur.execute(
                        f"ALTER TABLE `{name}`.{_q(t, '`')} ADD CONSTRAINT fk_{i} FOREIGN KEY ({_q(c, '`')}) "
                        f"REFERENCES `{name}`.{_q(rt, '`')} ({_q(rc, '`')})"
                    )
            urls[db.db_id] = f"mysql://root@{MARIADB_HOST}/{name}"
    conn.close()
    return urls
