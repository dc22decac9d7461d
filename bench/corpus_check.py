"""Server-side acceptance check for the validation corpora (hostile_v2.sql, benign_v2.sql, ...).

python bench/corpus_check.py [FILE.sql ...] [--dialects postgresql,mysql,sqlite] [--cross] [--verbose]

Every case is tried on the real server of each dialect it lists, in a throwaway database that this
script creates (fixture schema from tests/support/fixture_schema.py plus a few support objects) and
drops again:

* `plain:` cases (benign reads) are EXECUTED, inside a READ ONLY transaction that is rolled back,
  with statement_timeout / max_statement_time of 2 s; at most 1000 rows are fetched.
* every other case (`hostile:` ...) is only PARSED by the server, never executed, because many of
  them act outside any transaction (COPY TO PROGRAM, ALTER SYSTEM, SET GLOBAL, KILL, CREATE ROLE,
  INTO OUTFILE, ...). The check still runs inside a transaction that is rolled back, with the same
  timeouts:
    - PostgreSQL: the extended-protocol Parse message (raw parse of the whole text, exactly as the
      simple-query protocol parses it before running anything; parse analysis for a single
      statement). Statement boundaries are found by asking the server (a prefix that parses on its
      own and to which a further statement cannot be appended without "multiple commands").
    - MariaDB: PREPARE (parses and resolves names, executes nothing); a multi-statement text is cut
      where the server itself ends a statement (same prefix test), which reproduces what the
      multi-statement protocol does, including its refusal of a `;` inside /*! ... */.
    - SQLite: every statement (split with sqlite3_complete, SQLite's own tokenizer) is compiled
      with EXPLAIN, which builds the program without running it, on a copy of the fixture file.
      readfile(), writefile() and edit() are registered as no-op stubs because the sqlite3 shell,
      where they exist, is the environment those cases target.

Verdicts: `ok` (accepted; a single statement also analysed), `parsed` (accepted by the grammar, but
not preparable, or analysis needs an earlier statement of the same text, or - MariaDB and SQLite,
which run a script statement by statement - a later statement is rejected after the earlier ones
have run), `rejected` (syntax error, PostgreSQL parameters that a query without values cannot bind,
or the first statement fails analysis, so the server would run nothing). `--cross` also tries the
dialects a case does not list (informational, marked with *).

Only 127.0.0.1 is ever contacted (ports from SQLDRAFT_CC_PG_PORT / SQLDRAFT_CC_MARIADB_PORT,
default 5432 / 3306). The admin database `test` on PostgreSQL is only used to CREATE and DROP the
throwaway database. Exit status 1 if any case is rejected by a dialect it lists.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pymysql
from psycopg import pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.validation import mysql_protocol  # noqa: E402
from tests.support.cases import DIALECTS, FIXTURES, Case, load_cases  # noqa: E402
from tests.support.fixture_schema import fixture_ddl, fixture_rows  # noqa: E402

HOST = "127.0.0.1"
PG_PORT = int(os.environ.get("SQLDRAFT_CC_PG_PORT", "5432"))
MARIADB_PORT = int(os.environ.get("SQLDRAFT_CC_MARIADB_PORT", "3306"))
PG_ADMIN_DB = "test"
TIMEOUT_S = 2
DEFAULT_FILES = ("hostile_v2.sql", "benign_v2.sql")

# Objects some cases name that the fixture schema does not have (created in the throwaway database).
PG_SUPPORT = [
    "CREATE SEQUENCE orders_id_seq",
    "CREATE SEQUENCE seq",
    "CREATE MATERIALIZED VIEW customer_totals AS SELECT customer_id, sum(total_amount) AS total "
    "FROM orders GROUP BY customer_id",
    "CREATE UNIQUE INDEX ux_customer_totals ON customer_totals (customer_id)",
    "CREATE PROCEDURE cleanup_orders() LANGUAGE sql AS $$ DELETE FROM orders WHERE false $$",
    "CREATE INDEX brin_orders_ordered_at ON orders USING brin (ordered_at)",
    "CREATE INDEX gin_events_payload ON events USING gin (to_tsvector('simple', payload))",
    "CREATE EXTENSION IF NOT EXISTS dblink",
    "CREATE EXTENSION IF NOT EXISTS adminpack",
    "CREATE EXTENSION IF NOT EXISTS pgrowlocks",
    "CREATE EXTENSION IF NOT EXISTS pageinspect",
    "CREATE EXTENSION IF NOT EXISTS pg_prewarm",
    "CREATE EXTENSION IF NOT EXISTS lo",
]
MARIADB_SUPPORT = [
    "CREATE SEQUENCE seq",
    "CREATE SEQUENCE orders_seq",
    "CREATE PROCEDURE cleanup_orders() DELETE FROM orders WHERE 1 = 0",
]
SQLITE_SUPPORT: list[str] = []


@dataclass
class Verdict:
    status: str  # ok | parsed | rejected
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.status != "rejected"


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- PostgreSQL ---------------------------------------------------------------------------------------


def _pg_url(db: str) -> str:
    return f"postgresql://postgres@{HOST}:{PG_PORT}/{db}"


@contextmanager
def pg_throwaway() -> Iterator[str]:
    name = f"sqldraft_cc_{secrets.token_hex(5)}"
    admin = psycopg.connect(_pg_url(PG_ADMIN_DB), autocommit=True, connect_timeout=5)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(_pg_url(name), autocommit=True) as conn:
            for s in fixture_ddl("postgresql") + fixture_rows("postgresql") + PG_SUPPORT:
                conn.execute(s)
        yield _pg_url(name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class PgChecker:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        self.pg = self.conn.pgconn

    def close(self) -> None:
        self.conn.close()

    def _exec(self, sql: str) -> None:
        res = self.pg.exec_(sql.encode())
        if res.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
            raise RuntimeError(res.error_message.decode(errors="replace"))

    def _parse(self, sql: str) -> tuple[str, str]:
        """('ok'|'params'|'multi'|'syntax'|'analysis', message) from one Parse in a rolled-back transaction."""
        self._exec("BEGIN")
        try:
            self._exec(f"SET LOCAL statement_timeout = '{TIMEOUT_S}s'")
            self._exec("SET LOCAL lock_timeout = '1s'")
            res = self.pg.prepare(b"", sql.encode())
            if res.status == pq.ExecStatus.COMMAND_OK:
                described = self.pg.describe_prepared(b"")
                if described.status == pq.ExecStatus.COMMAND_OK and described.nparams:
                    return "params", f"needs {described.nparams} parameter(s): sent without them it fails"
                return "ok", ""
            state = (res.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
            msg = (res.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or b"").decode(errors="replace")
            if "multiple commands" in msg:
                return "multi", msg
            if state == "42601":
                return "syntax", f"{state} {msg}"
            return "analysis", f"{state} {msg}"
        finally:
            self.pg.exec_(b"ROLLBACK")

    def _split(self, sql: str) -> list[str] | None:
        statements, rest = [], sql
        while True:
            kind, _ = self._parse(rest)
            if kind != "multi":
                statements.append(rest)
                return statements
            for k in (m.start() for m in re.finditer(";", rest)):
                head_kind, _ = self._parse(rest[:k])
                if head_kind in ("ok", "analysis", "params") and self._parse(rest[: k + 1] + " SELECT 1")[0] == "multi":
                    statements.append(rest[:k])
                    rest = rest[k + 1 :]
                    break
            else:
                return None

    def check(self, case: Case) -> Verdict:
        kind, msg = self._parse(case.sql)
        if kind == "ok":
            return Verdict("ok", "Parse accepted the single statement")
        if kind == "params":
            return Verdict("rejected", msg)
        if kind == "syntax":
            return Verdict("rejected", msg)
        if kind == "analysis":
            return Verdict("rejected", f"analysis: {msg}")
        statements = self._split(case.sql)
        if statements is None:
            return Verdict("parsed", "raw parse of the whole text; statement boundaries not found")
        notes = []
        for i, stmt in enumerate(statements, 1):
            k, m = self._parse(stmt)
            if k == "syntax":  # cannot happen after a successful raw parse of the whole text
                return Verdict("rejected", f"statement {i}: {m}")
            if k == "params":  # the simple-query protocol has no parameters: this statement fails
                return Verdict("rejected", f"statement {i}: {m}")
            if k == "analysis":
                if i == 1:
                    return Verdict("rejected", f"statement 1 fails analysis, nothing runs: {m}")
                notes.append(f"s{i}: {m}")
        detail = f"{len(statements)} statements parsed" + (f"; later analysis: {'; '.join(notes)}" if notes else "")
        return Verdict("ok" if not notes else "parsed", detail)

    def run_read(self, case: Case) -> Verdict:
        kind, msg = self._parse(case.sql)
        if kind == "multi":  # a read is one statement; never run a script (it could COMMIT its way out)
            return Verdict("rejected", msg)
        self.conn.autocommit = False
        try:
            with self.conn.cursor() as cur:
                cur.execute("SET TRANSACTION READ ONLY")
                cur.execute(f"SET LOCAL statement_timeout = '{TIMEOUT_S}s'")
                # binary=True: the extended protocol, in which the server itself refuses a second statement
                cur.execute(case.sql, binary=True)
                rows = cur.fetchmany(1000) if cur.description else []
            return Verdict("ok", f"executed read-only, {len(rows)} rows")
        except psycopg.Error as exc:
            return Verdict("rejected", f"{exc.sqlstate} {_one_line(str(exc))}")
        finally:
            self.conn.rollback()
            self.conn.autocommit = True


# --- MariaDB ------------------------------------------------------------------------------------------

SYNTAX_ERRORS = {1064, 1149}
NOT_PREPARABLE = 1295
READ_ONLY_TRANSACTION = 1792


def _my_connect(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=HOST, port=MARIADB_PORT, user="root", password="", database=database,
        autocommit=True, connect_timeout=5, charset="utf8mb4",
    )  # fmt: skip


@contextmanager
def mariadb_throwaway() -> Iterator[str]:
    name = f"sqldraft_cc_{secrets.token_hex(5)}"
    admin = _my_connect()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        conn = _my_connect(name)
        with conn.cursor() as cur:
            for s in fixture_ddl("mysql") + fixture_rows("mysql") + MARIADB_SUPPORT:
                cur.execute(s)
                if cur.description:
                    cur.fetchall()
        conn.close()
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


class MariaDbChecker:
    dialect = "mysql"

    def __init__(self, database: str) -> None:
        self.conn = _my_connect(database)
        with self.conn.cursor() as cur:
            cur.execute(f"SET SESSION max_statement_time = {TIMEOUT_S}")
            cur.execute("SET SESSION lock_wait_timeout = 1")
            cur.execute("SET SESSION innodb_lock_wait_timeout = 1")

    def close(self) -> None:
        self.conn.close()

    def _prepare(self, sql: str) -> tuple[str, str]:
        """('ok'|'unpreparable'|'syntax'|'analysis', message) from COM_STMT_PREPARE: never executed."""
        with self.conn.cursor() as cur:
            cur.execute("START TRANSACTION READ ONLY")
            try:
                result = mysql_protocol.prepare(self.conn, sql.encode("utf-8"))
            finally:
                cur.execute("ROLLBACK")
        if result.ok or result.code == READ_ONLY_TRANSACTION:
            return "ok", ""  # 1792: parsed, and refused only because it would write
        msg = f"{result.code} {result.message}"
        if result.code == NOT_PREPARABLE:
            return "unpreparable", msg
        if result.code in SYNTAX_ERRORS:
            return "syntax", msg
        return "analysis", msg

    def _boundary(self, text: str, k: int) -> bool:
        if self._prepare(text[:k])[0] == "syntax":
            return False
        kind, msg = self._prepare(text[: k + 1] + " SELECT 1")
        return kind == "syntax" and "near 'SELECT 1'" in msg

    def check(self, case: Case) -> Verdict:
        rest, i, notes = case.sql, 0, []
        while True:
            i += 1
            kind, msg = self._prepare(rest)
            if kind == "syntax":
                for k in (m.start() for m in re.finditer(";", rest)):
                    if self._boundary(rest, k):
                        head = self._prepare(rest[:k])
                        if head[0] == "analysis":
                            if i == 1:
                                return Verdict("rejected", f"statement 1 fails, nothing else runs: {head[1]}")
                            notes.append(f"s{i}: {head[1]}")
                        elif head[0] == "unpreparable":
                            notes.append(f"s{i}: not preparable (parsed)")
                        rest = rest[k + 1 :]
                        break
                else:
                    if i > 1:  # the multi-statement protocol has already run statements 1 .. i-1
                        return Verdict("parsed", f"statements 1-{i - 1} run, then statement {i} is rejected: {msg}")
                    return Verdict("rejected", msg)
                continue
            if kind == "analysis":
                if i == 1:
                    return Verdict("rejected", f"analysis: {msg}")
                notes.append(f"s{i}: {msg}")
            elif kind == "unpreparable":
                notes.append(f"s{i}: not preparable (parsed)")
            status = "ok" if not notes else "parsed"
            detail = f"{i} statement{'s' if i > 1 else ''} prepared" + (f"; {'; '.join(notes)}" if notes else "")
            return Verdict(status, detail)

    def run_read(self, case: Case) -> Verdict:
        with self.conn.cursor() as cur:
            try:
                cur.execute("START TRANSACTION READ ONLY")
                cur.execute(case.sql)  # no arguments: pymysql leaves % alone
                rows = cur.fetchmany(1000) if cur.description else []
                return Verdict("ok", f"executed read-only, {len(rows)} rows")
            except pymysql.MySQLError as exc:
                if exc.args and exc.args[0] == READ_ONLY_TRANSACTION:
                    # e.g. EXPLAIN <write>, which MariaDB refuses in a READ ONLY transaction; it is never run
                    # again outside one (MariaDB's ANALYZE runs what it explains)
                    return Verdict("parsed", "refused in a READ ONLY transaction (1792), not run outside one")
                return Verdict("rejected", _one_line(" ".join(map(str, exc.args))))
            finally:
                try:
                    while cur.nextset():
                        pass
                except pymysql.MySQLError:
                    pass
                cur.execute("ROLLBACK")


# --- SQLite -------------------------------------------------------------------------------------------


def _strip_sqlite_comments(sql: str) -> str:
    out, i, n = [], 0, len(sql)
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
            out.append(" ")
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif c in "'\"`[":
            close = "]" if c == "[" else c
            j = sql.find(close, i + 1)
            while j >= 0 and close != "]" and sql.startswith(close * 2, j):
                j = sql.find(close, j + 2)
            j = n if j < 0 else j + 1
            out.append(sql[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sqlite_split(sql: str) -> list[str]:
    """Statements as SQLite's own tokenizer (sqlite3_complete) ends them."""
    statements, start = [], 0
    for m in re.finditer(";", sql):
        if m.start() < start:
            continue
        piece = sql[start : m.end()]
        if sqlite3.complete_statement(piece):
            statements.append(piece)
            start = m.end()
    if sql[start:].strip():
        statements.append(sql[start:])
    return [s for s in statements if _strip_sqlite_comments(s).strip(" \t\r\n;")]


class SqliteChecker:
    dialect = "sqlite"

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.template = os.path.join(workdir, "fixture.db")
        conn = sqlite3.connect(self.template)
        for s in fixture_ddl("sqlite") + fixture_rows("sqlite") + SQLITE_SUPPORT:
            conn.executescript(s + ";")
        conn.commit()
        conn.close()

    def close(self) -> None:
        pass

    @contextmanager
    def _copy(self) -> Iterator[sqlite3.Connection]:
        path = os.path.join(self.workdir, f"case_{secrets.token_hex(4)}.db")
        shutil.copyfile(self.template, path)
        conn = sqlite3.connect(path, isolation_level=None)
        for name, nargs in (("readfile", 1), ("writefile", 2), ("writefile", 3), ("writefile", 4),
                            ("edit", 1), ("edit", 2)):  # fmt: skip
            conn.create_function(name, nargs, lambda *a: None)  # the sqlite3 shell's functions, as no-ops
        deadline = time.monotonic() + TIMEOUT_S
        conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
        try:
            yield conn
        finally:
            conn.close()
            for suffix in ("", "-journal", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)

    @staticmethod
    def _syntax(exc: Exception) -> bool:
        msg = str(exc)
        return "syntax error" in msg or "incomplete input" in msg or "unrecognized token" in msg

    def check(self, case: Case) -> Verdict:
        statements = sqlite_split(case.sql)
        if not statements:
            return Verdict("rejected", "no statement")
        notes = []
        with self._copy() as conn:
            conn.execute("BEGIN")
            for i, stmt in enumerate(statements, 1):
                bare = _strip_sqlite_comments(stmt).lstrip()
                text = stmt if bare[:7].upper() == "EXPLAIN" else "EXPLAIN " + stmt
                try:
                    conn.execute(text).fetchall()
                except sqlite3.Warning as exc:  # "You can only execute one statement at a time"
                    return Verdict("rejected", f"statement {i}: {exc}")
                except sqlite3.ProgrammingError as exc:
                    if "bindings" not in str(exc):
                        return Verdict("rejected", f"statement {i}: {exc}")
                    # compiled; only Python's execute() insists on values (sqlite3_step binds NULL)
                    notes.append(f"s{i}: unbound parameters are NULL")
                except sqlite3.Error as exc:
                    if self._syntax(exc) and i > 1:  # statements 1 .. i-1 have already run
                        return Verdict("parsed", f"statements 1-{i - 1} run, then statement {i} is rejected: {exc}")
                    if self._syntax(exc) or i == 1:
                        return Verdict("rejected", f"statement {i}: {exc}")
                    notes.append(f"s{i}: {exc}")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        detail = f"{len(statements)} statement{'s' if len(statements) > 1 else ''} compiled"
        return Verdict("ok" if not notes else "parsed", detail + (f"; {'; '.join(notes)}" if notes else ""))

    def run_read(self, case: Case) -> Verdict:
        with self._copy() as conn:
            try:
                conn.execute("PRAGMA query_only = 1")
                conn.execute("BEGIN")
                cur = conn.execute(case.sql)
                rows = cur.fetchmany(1000) if cur.description else []
                return Verdict("ok", f"executed read-only, {len(rows)} rows")
            except (sqlite3.Error, sqlite3.Warning) as exc:
                return Verdict("rejected", str(exc))
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")


# --- main ---------------------------------------------------------------------------------------------


def _is_read(case: Case) -> bool:
    return case.name.startswith("plain:")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", default=list(DEFAULT_FILES), help="fixture files in tests/fixtures/validation")
    ap.add_argument("--dialects", default=",".join(DIALECTS))
    ap.add_argument("--cross", action="store_true", help="also try the dialects a case does not list")
    ap.add_argument("--verbose", action="store_true", help="print every verdict, not only rejections")
    args = ap.parse_args()
    wanted = [d for d in args.dialects.split(",") if d]

    cases: list[Case] = []
    for f in args.files:
        path = Path(f)
        if not (FIXTURES / path.name).is_file() or (path.parent != Path(".") and path.resolve().parent != FIXTURES):
            sys.exit(f"{f}: not a fixture file in {FIXTURES}")
        cases += load_cases(path.name)

    print(f"# corpus check: {', '.join(Path(f).name for f in args.files)} ({len(cases)} cases)\n")
    totals: Counter[tuple[str, str, str]] = Counter()
    failures: list[str] = []
    cross_notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sqldraft_cc_") as workdir, _servers(wanted, workdir) as checkers:
        for case in cases:
            kind = "read" if _is_read(case) else "parse"
            for dialect, checker in checkers.items():
                listed = dialect in case.dialects
                if not listed and not args.cross:
                    continue
                verdict = checker.run_read(case) if kind == "read" else checker.check(case)
                mark = "" if listed else "*"
                if listed:
                    totals[(case.file, dialect, verdict.status)] += 1
                line = f"{verdict.status:8} {dialect}{mark:1} {case.file}: {case.name}: {_one_line(verdict.detail)}"
                if listed and not verdict.accepted:
                    failures.append(line)
                elif not listed and verdict.accepted and not _is_read(case):
                    cross_notes.append(line)
                if args.verbose:
                    print(line)
    print("\n| file | dialect | ok | parsed | rejected |\n|---|---|---|---|---|")
    for file in sorted({k[0] for k in totals}):
        for dialect in wanted:
            row = [totals[(file, dialect, s)] for s in ("ok", "parsed", "rejected")]
            if any(row):
                print(f"| {file} | {dialect} | {row[0]} | {row[1]} | {row[2]} |")
    print(f"\nrejected by a listed dialect: {len(failures)}")
    for line in failures:
        print("  " + line)
    if args.cross:
        print(f"\naccepted by a dialect the case does not list (check the dialect list is right): {len(cross_notes)}")
        for line in cross_notes:
            print("  " + line)
    return 1 if failures else 0


@contextmanager
def _servers(wanted: list[str], workdir: str) -> Iterator[dict[str, PgChecker | MariaDbChecker | SqliteChecker]]:
    with ExitStack() as stack:
        checkers: dict[str, PgChecker | MariaDbChecker | SqliteChecker] = {}
        if "postgresql" in wanted:
            url = stack.enter_context(pg_throwaway())
            checkers["postgresql"] = stack.enter_context(closing(PgChecker(url)))
        if "mysql" in wanted:
            name = stack.enter_context(mariadb_throwaway())
            checkers["mysql"] = stack.enter_context(closing(MariaDbChecker(name)))
        if "sqlite" in wanted:
            checkers["sqlite"] = SqliteChecker(workdir)
        yield checkers


if __name__ == "__main__":
    raise SystemExit(main())
