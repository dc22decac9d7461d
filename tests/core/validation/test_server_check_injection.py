"""The server check never executes user SQL: an injection corpus against real PostgreSQL, MariaDB and SQLite.

Each text goes to ``check_on_server`` whole, as ONE statement typed ``select`` (what a broken splitter
would hand over, the worst case), and again through ``Copilot.validate(..., server_check=True)``.
Afterwards the canaries on every server are exactly as created: the rows of transactional and
non-transactional tables, a sequence (``nextval`` survives a rollback, so it proves nothing ran), the
tables and routines, large objects, a file the text tries to write; and the check's own session ended
rolled back, still read-only, with nothing executed.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import pq

from core.domain.schema import Dialect
from core.errors import ConfigurationError
from core.introspection.targets import TargetConfig
from core.validation import server_check
from core.validation.model import RiskLevel, ScriptMode, Status, Validation
from core.validation.server_check import check_on_server
from tests.support.servers import (
    mariadb_admin,
    mariadb_database,
    pg_database,
    run_mariadb,
    run_pg,
    run_sqlite,
    store_url_for_pg,
)

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb]

PG, MY, LITE = "postgresql", "mysql", "sqlite"
FILE_CANARY = f"/tmp/sqldraft_canary_{secrets.token_hex(6)}"
INSERT = "INSERT INTO canary VALUES ('x')"

PG_SETUP = (
    "CREATE TABLE canary (v text)",
    "INSERT INTO canary VALUES ('a'), ('b'), ('c')",
    "CREATE SEQUENCE canary_seq",
    "CREATE FUNCTION writer_function() RETURNS int LANGUAGE plpgsql AS "
    "$$ BEGIN INSERT INTO canary VALUES ('x'); PERFORM nextval('canary_seq'); RETURN 1; END $$",
    "CREATE FUNCTION bump() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('canary_seq') $$",
    "CREATE PROCEDURE writer_proc() LANGUAGE plpgsql AS $$ BEGIN INSERT INTO canary VALUES ('x'); COMMIT; END $$",
)
MY_SETUP = (
    "CREATE TABLE canary (v varchar(10)) ENGINE=InnoDB",
    "INSERT INTO canary VALUES ('a'), ('b'), ('c')",
    "CREATE TABLE canary_myisam (v varchar(10)) ENGINE=MyISAM",
    "INSERT INTO canary_myisam VALUES ('a')",
    "CREATE SEQUENCE canary_seq NOCACHE",
    "CREATE FUNCTION writer_function() RETURNS INT MODIFIES SQL DATA BEGIN "
    "INSERT INTO canary VALUES ('x'); INSERT INTO canary_myisam VALUES ('x'); RETURN NEXTVAL(canary_seq); END",
    "CREATE FUNCTION bump() RETURNS BIGINT MODIFIES SQL DATA RETURN NEXTVAL(canary_seq)",
    "CREATE PROCEDURE writer_proc() MODIFIES SQL DATA BEGIN "
    "INSERT INTO canary VALUES ('x'); INSERT INTO canary_myisam VALUES ('x'); COMMIT; END",
)
LITE_SETUP = "CREATE TABLE canary (v TEXT); INSERT INTO canary VALUES ('a'), ('b'), ('c');"


@dataclass(frozen=True)
class Case:
    id: str
    texts: dict[str, str]
    """dialect -> the text (one dialect, several, or all three)."""
    several: frozenset[str] = frozenset()
    """Dialects in which the text is several statements, so the check must reject it."""


def case(case_id: str, text: str, dialects: str = "pg my lite", several: str = "") -> Case:
    names = {"pg": PG, "my": MY, "lite": LITE}
    return Case(
        case_id,
        {names[d]: text for d in dialects.split()},
        frozenset(names[d] for d in several.split()),
    )


CORPUS = [
    # the file that committed an INSERT through PREPARE ... AS {sql}
    case(
        "crafted-dollar-params",
        f"SELECT $1::int,$2::int; COMMIT; BEGIN READ WRITE; {INSERT}; COMMIT; SELECT 1 --$1::int,$",
        several="pg my lite",
    ),
    case("dollar-quote", f"SELECT $$ ; $$; COMMIT; {INSERT}; COMMIT", several="pg my lite"),
    case(
        "tagged-dollar-quote",
        f"SELECT $tag$ $$ ; $tag$; COMMIT; BEGIN READ WRITE; {INSERT}; COMMIT; SELECT $tag$ $tag$",
        several="pg my lite",
    ),
    case("dollar-in-comment", f"SELECT 1 /* $$ */; COMMIT; {INSERT}; COMMIT /* $$ */", several="pg my lite"),
    case("param-then-stacked", f"SELECT $1; COMMIT; BEGIN READ WRITE; {INSERT}; COMMIT", "pg", several="pg"),
    case("line-comment", f"SELECT 1 -- ; COMMIT\n; COMMIT; {INSERT}; COMMIT", several="pg my lite"),
    case(
        "nested-block-comment",
        f"SELECT 1 /* outer /* nested */ still a comment; */; COMMIT; {INSERT}; COMMIT",
        several="pg my lite",
    ),
    case("mysql-dash-dash-1", f"SELECT 1 --1\n; COMMIT; {INSERT}; COMMIT", several="pg my lite"),
    case("mysql-hash-comment", f"SELECT 1 # ; COMMIT\n; {INSERT}; COMMIT", "my", several="my"),
    case("mysql-hash-not-a-comment", f"SELECT 1 # ; COMMIT\n; {INSERT}", "pg lite", several="pg lite"),
    case("executable-comment", f"SELECT 1 /*! ; {INSERT}; COMMIT */", several="my"),
    case("mariadb-executable-comment", f"SELECT 1 /*M! ; {INSERT}; COMMIT */", several="my"),
    case("versioned-executable-comment", f"SELECT 1 /*!50000 ; {INSERT} */; COMMIT", several="pg my lite"),
    case("backslash-quote", f"SELECT 'a\\'; {INSERT}; COMMIT; -- '", several="pg my lite"),
    case("e-string", f"SELECT E'\\''; {INSERT}; COMMIT; -- '", "pg", several="pg"),
    case("stacked-commit-begin", f"COMMIT; BEGIN READ WRITE; {INSERT}; COMMIT", "pg lite", several="pg lite"),
    case("stacked-start-transaction", f"COMMIT; START TRANSACTION READ WRITE; {INSERT}; COMMIT", "my", several="my"),
    case("stacked-rollback-end", f"ROLLBACK; END; {INSERT}; COMMIT", "pg", several="pg"),
    case("set-transaction", f"SET TRANSACTION READ WRITE; {INSERT}; COMMIT", "pg my", several="pg my"),
    case("set-transaction-alone", "SET TRANSACTION READ WRITE", "pg my"),
    case(
        "session-characteristics",
        f"SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; COMMIT; {INSERT}; COMMIT",
        "pg",
        several="pg",
    ),
    case("session-characteristics-alone", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "pg"),
    case("mysql-session-read-write", "SET SESSION TRANSACTION READ WRITE", "my"),
    case(
        "set-config",
        f"SELECT set_config('default_transaction_read_only', 'off', false); COMMIT; {INSERT}",
        "pg",
        several="pg",
    ),
    case("do-block", f"DO $$ BEGIN {INSERT}; END $$", "pg my"),
    case("call-writer-procedure", "CALL writer_proc()", "pg my"),
    case("writer-function", "SELECT writer_function()"),
    case("writer-function-in-derived-table", "SELECT w FROM (SELECT writer_function() AS w) AS d", "pg my"),
    case("writer-function-in-where", "SELECT v FROM canary WHERE writer_function() = 1", "pg my"),
    case("nextval", "SELECT nextval('canary_seq')", "pg"),
    case("mariadb-nextval", "SELECT NEXTVAL(canary_seq)", "my"),
    case("sequence-function", "SELECT bump()", "pg my"),
    case("explain-analyze", f"EXPLAIN ANALYZE {INSERT}", "pg"),
    case("mariadb-analyze", f"ANALYZE {INSERT}", "my"),
    case("explain-analyze-writer", "EXPLAIN (ANALYZE) SELECT writer_function()", "pg"),
    case("prepare-execute", f"PREPARE x AS {INSERT}; EXECUTE x", "pg", several="pg"),
    case("prepare-alone", f"PREPARE x AS {INSERT}", "pg"),
    case("mysql-prepare-execute", "PREPARE x FROM 'INSERT INTO canary VALUES (''x'')'; EXECUTE x", "my", several="my"),
    case("copy-to-file", f"COPY (SELECT 1) TO '{FILE_CANARY}'", "pg"),
    case("copy-to-program", f"COPY (SELECT 1) TO PROGRAM 'touch {FILE_CANARY}'", "pg"),
    case("copy-from-program", "COPY canary FROM PROGRAM 'echo x'", "pg"),
    case("into-outfile", f"SELECT v FROM canary INTO OUTFILE '{FILE_CANARY}'", "my"),
    case("large-object", "SELECT lo_import('/etc/hostname')", "pg"),
    case("select-into-newtable", "SELECT * INTO newtable FROM canary", "pg"),
    case("create-table-as", "CREATE TABLE newtable AS SELECT * FROM canary"),
    case("create-table", "CREATE TABLE newtable (v text)"),
    case("writable-cte", f"WITH d AS ({INSERT} RETURNING 1) SELECT * FROM d", "pg my lite"),
    case("insert-as-select", INSERT),
    case("update-returning", "UPDATE canary SET v = 'x' RETURNING v", "pg lite"),
    case("delete-all", "DELETE FROM canary"),
    case("truncate", "TRUNCATE canary", "pg my"),
    case("drop-table", "DROP TABLE canary"),
    case("select-then-drop", "SELECT 1; DROP TABLE canary", several="pg my lite"),
    case("lock-table", "LOCK TABLE canary IN ACCESS EXCLUSIVE MODE", "pg"),
    case("for-update", "SELECT v FROM canary FOR UPDATE", "pg my"),
    case("sqlite-pragma-query-only", f"PRAGMA query_only = OFF; {INSERT}", "lite", several="lite"),
    case("sqlite-pragma-alone", "PRAGMA query_only = OFF", "lite"),
    case("sqlite-attach", f"ATTACH DATABASE '{FILE_CANARY}' AS other", "lite"),
    case("sqlite-vacuum-into", f"VACUUM INTO '{FILE_CANARY}'", "lite"),
    case("sqlite-returning", f"{INSERT} RETURNING v", "lite"),
]

DIALECT_CASES = [
    pytest.param(dialect, c, id=f"{dialect}-{c.id}") for dialect in (PG, MY, LITE) for c in CORPUS if dialect in c.texts
]
SLEEPS = {PG: "SELECT pg_sleep(30)", MY: "SELECT SLEEP(30)"}


# --- the canaries ---------------------------------------------------------------------------------


@dataclass
class Canaries:
    pg_url: str
    mariadb_url: str
    sqlite_path: Path
    initial: dict[str, Any] = field(default_factory=dict)

    def target(self, dialect: str) -> TargetConfig:
        if dialect == PG:
            return TargetConfig("canary", Dialect.POSTGRESQL, store_url_for_pg(self.pg_url), None)
        if dialect == MY:
            return TargetConfig("canary", Dialect.MYSQL, self.mariadb_url.replace("mysql://", "mysql+pymysql://"), None)
        return TargetConfig("canary", Dialect.SQLITE, f"sqlite:///{self.sqlite_path}", None)

    def url(self, dialect: str) -> str:
        return {PG: self.pg_url, MY: self.mariadb_url, LITE: f"sqlite:///{self.sqlite_path}"}[dialect]

    def state(self) -> dict[str, Any]:
        return {PG: self._pg(), MY: self._mariadb(), LITE: self._sqlite()}

    def _pg(self) -> dict[str, Any]:
        with psycopg.connect(self.pg_url, autocommit=True) as c:

            def rows(sql: str) -> list[tuple[Any, ...]]:
                return c.execute(sql).fetchall()

            return {
                "canary": rows("SELECT v FROM canary ORDER BY v"),
                "sequence": rows("SELECT last_value, is_called FROM canary_seq"),
                "tables": rows(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
                ),
                "routines": rows("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1"),
                "large_objects": rows("SELECT count(*) FROM pg_largeobject_metadata"),
                "prepared_xacts": rows("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"),
                "file": rows(f"SELECT pg_stat_file('{FILE_CANARY}', true) IS NULL"),
            }

    def _mariadb(self) -> dict[str, Any]:
        database = self.mariadb_url.rsplit("/", 1)[1]
        conn = mariadb_admin(database)
        try:
            with conn.cursor() as cur:

                def rows(sql: str) -> list[tuple[Any, ...]]:
                    cur.execute(sql)
                    return list(cur.fetchall())

                return {
                    "canary": rows("SELECT v FROM canary ORDER BY v"),
                    "canary_myisam": rows("SELECT v FROM canary_myisam ORDER BY v"),
                    "sequence": rows("SELECT next_not_cached_value FROM canary_seq"),
                    "tables": rows(
                        "SELECT table_name, table_type FROM information_schema.tables "
                        "WHERE table_schema = DATABASE() ORDER BY 1"
                    ),
                    "routines": rows(
                        "SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE() "
                        "ORDER BY 1"
                    ),
                    "file": rows(f"SELECT LOAD_FILE('{FILE_CANARY}') IS NULL"),
                }
        finally:
            conn.close()

    def _sqlite(self) -> dict[str, Any]:
        conn = sqlite3.connect(f"{self.sqlite_path.as_uri()}?mode=ro", uri=True)
        try:
            return {
                "canary": conn.execute("SELECT v FROM canary ORDER BY v").fetchall(),
                "schema": conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                "file": Path(FILE_CANARY).exists(),
            }
        finally:
            conn.close()


@pytest.fixture(scope="module")
def canaries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canaries]:
    path = tmp_path_factory.mktemp("canary") / "canary.db"
    run_sqlite(str(path), LITE_SETUP)
    with pg_database() as pg_url, mariadb_database() as mariadb_url:
        run_pg(pg_url, *PG_SETUP)
        run_mariadb(mariadb_url, *MY_SETUP)
        made = Canaries(pg_url, mariadb_url, path)
        made.initial = made.state()
        assert made.initial[PG]["canary"] == [("a",), ("b",), ("c",)]
        assert made.initial[MY]["sequence"] == [(1,)] and made.initial[PG]["file"] == [(True,)]
        yield made


# --- the check's own sessions, as they end ----------------------------------------------------------


class _SpySqlite(sqlite3.Connection):
    ended: list[dict[str, Any]]

    def close(self) -> None:
        self.set_authorizer(None)
        self.ended.append(
            {
                "dialect": LITE,
                "in_transaction": self.in_transaction,
                "query_only": self.execute("PRAGMA query_only").fetchone()[0],
                "attached": [row[1] for row in self.execute("PRAGMA database_list").fetchall()],
            }
        )
        super().close()


class _SqliteProxy:
    """server_check's view of the sqlite3 module, with connections that report how they end."""

    def __init__(self, ended: list[dict[str, Any]], opened: list[tuple[str, dict[str, Any]]]) -> None:
        self._ended = ended
        self._opened = opened

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)

    def connect(self, database: str, **kwargs: Any) -> sqlite3.Connection:
        self._opened.append((database, kwargs))
        factory = type("Spy", (_SpySqlite,), {"ended": self._ended})
        return sqlite3.connect(database, factory=factory, **kwargs)


@dataclass
class Sessions:
    ended: list[dict[str, Any]] = field(default_factory=list)
    sqlite_opened: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def assert_clean(self, dialect: str) -> None:
        """Every session the check opened ended rolled back, still read-only, having executed nothing."""
        assert self.ended, "the check opened no session"
        for end in self.ended:
            assert end["dialect"] == dialect
            if dialect == PG:
                assert end["transaction_status"] == "IDLE"  # rolled back
                assert end["default_transaction_read_only"] == "on"
                assert end["prepared_statements"] == 0  # no PREPARE of the text ran
            elif dialect == MY:
                assert end["in_transaction"] == 0 and end["tx_read_only"] == 1
                executed = {k: v for k, v in end["status"].items() if k not in ("Com_stmt_prepare", "Com_stmt_close")}
                assert all(v == 0 for v in executed.values()), executed
                assert end["status"]["Com_stmt_close"] <= end["status"]["Com_stmt_prepare"]
            else:
                assert end == {"dialect": LITE, "in_transaction": False, "query_only": 1, "attached": ["main"]}
        for database, kwargs in self.sqlite_opened:
            assert database.startswith("file:///") and database.endswith("?mode=ro") and kwargs["uri"] is True


_MY_COUNTERS = (
    "Com_stmt_execute",
    "Com_execute_sql",
    "Com_insert",
    "Com_insert_select",
    "Com_update",
    "Com_delete",
    "Com_call_procedure",
    "Com_commit",
    "Com_create_table",
    "Com_drop_table",
    "Com_stmt_prepare",
    "Com_stmt_close",
)


def _pg_end(raw: psycopg.Connection) -> dict[str, Any]:
    status = pq.TransactionStatus(raw.pgconn.transaction_status).name
    row = raw.execute(
        "SELECT current_setting('default_transaction_read_only'), (SELECT count(*) FROM pg_prepared_statements)"
    ).fetchone()
    assert row is not None
    return {
        "dialect": PG,
        "transaction_status": status,
        "default_transaction_read_only": row[0],
        "prepared_statements": row[1],
    }


def _mariadb_end(raw: Any) -> dict[str, Any]:
    # A query answered normally also proves no packet of the check was left unread.
    with raw.cursor() as cur:
        cur.execute("SELECT @@in_transaction, @@tx_read_only")
        in_transaction, read_only = cur.fetchone()
        names = ", ".join(f"'{n}'" for n in _MY_COUNTERS)
        cur.execute(f"SHOW SESSION STATUS WHERE Variable_name IN ({names})")
        status = {name: int(value) for name, value in cur.fetchall()}
    return {"dialect": MY, "in_transaction": in_transaction, "tx_read_only": read_only, "status": status}


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> Sessions:
    spied = Sessions()
    real_connect = server_check.connect

    @contextmanager
    def spying(target: TargetConfig) -> Iterator[Any]:
        with real_connect(target) as conn:
            yield conn
            if not conn.invalidated:
                raw: Any = conn.connection.dbapi_connection
                spied.ended.append(_pg_end(raw) if target.dialect is Dialect.POSTGRESQL else _mariadb_end(raw))

    monkeypatch.setattr(server_check, "connect", spying)
    monkeypatch.setattr(server_check, "sqlite3", _SqliteProxy(spied.ended, spied.sqlite_opened))
    return spied


def _one_select(dialect: str) -> Validation:
    return Validation(
        status=Status.PASS,
        findings=[],
        impacted_objects=[],
        statement_types=["select"],
        risk_level=RiskLevel.NONE,
        dialect=dialect,
        mode=ScriptMode.QUERY,
    )


def _check(canaries: Canaries, dialect: str, text: str) -> Validation:
    validation = _one_select(dialect)
    check_on_server(validation, canaries.target(dialect), [(0, text, 1, 1)])
    assert validation.server_checked
    return validation


def _rejections(validation: Validation) -> list[str]:
    return [f.message for f in validation.findings if f.rule == "syntax.server_rejected"]


# --- the corpus -------------------------------------------------------------------------------------


def test_the_corpus_is_large_and_covers_every_dialect() -> None:
    assert len(CORPUS) >= 25
    for dialect in (PG, MY, LITE):
        assert sum(dialect in c.texts for c in CORPUS) >= (20 if dialect == LITE else 25), dialect


@pytest.mark.parametrize(("dialect", "item"), DIALECT_CASES)
def test_a_hostile_text_as_one_statement_is_never_executed(
    dialect: str, item: Case, canaries: Canaries, sessions: Sessions
) -> None:
    start = time.monotonic()
    validation = _check(canaries, dialect, item.texts[dialect])
    assert time.monotonic() - start < 5
    if dialect in item.several:
        assert _rejections(validation), f"{item.id} holds several statements but passed the {dialect} check"
        assert validation.status is Status.FAIL
    sessions.assert_clean(dialect)
    assert canaries.state() == canaries.initial


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_the_corpus_through_validate_executes_nothing(
    dialect: str, canaries: Canaries, copilot: Any, sessions: Sessions
) -> None:
    copilot.add_connection("canary", canaries.url(dialect))
    copilot.refresh_snapshot("canary")
    checked = 0
    for item in CORPUS:
        if dialect not in item.texts:
            continue
        for mode in ("query", "dml"):
            result = copilot.validate(item.texts[dialect], connection="canary", mode=mode, server_check=True)
            assert result.server_checked, item.id
            checked += 1
    assert checked >= 40
    sessions.assert_clean(dialect)  # also: the check did open sessions, statements reached the server
    assert canaries.state() == canaries.initial


@pytest.mark.parametrize("dialect", [PG, MY])
def test_a_sleep_is_prepared_not_run(dialect: str, canaries: Canaries, sessions: Sessions) -> None:
    start = time.monotonic()
    for text in (SLEEPS[dialect], f"{SLEEPS[dialect]}; {INSERT}", f"{INSERT}; {SLEEPS[dialect]}"):
        _check(canaries, dialect, text)
    assert time.monotonic() - start < 5
    sessions.assert_clean(dialect)
    assert canaries.state() == canaries.initial


# --- what the check still reports ---------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_a_valid_read_still_passes(dialect: str, canaries: Canaries, sessions: Sessions) -> None:
    validation = _check(canaries, dialect, "SELECT v FROM canary WHERE v = 'a';")
    assert validation.findings == [] and validation.status is Status.PASS
    sessions.assert_clean(dialect)


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_an_unknown_function_is_still_rejected(dialect: str, canaries: Canaries, sessions: Sessions) -> None:
    validation = _check(canaries, dialect, "SELECT no_such_function(v) FROM canary")
    (message,) = _rejections(validation)
    assert "no_such_function" in message.lower() and validation.status is Status.FAIL
    sessions.assert_clean(dialect)


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_several_statements_in_one_text_are_reported(dialect: str, canaries: Canaries, sessions: Sessions) -> None:
    validation = _check(canaries, dialect, f"SELECT v FROM canary; {INSERT}")
    (message,) = _rejections(validation)
    assert "several statements" in message
    sessions.assert_clean(dialect)
    assert canaries.state() == canaries.initial


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_statements_after_a_rejection_are_still_checked(dialect: str, canaries: Canaries, sessions: Sessions) -> None:
    # PostgreSQL aborts a transaction on an error: each statement gets its own, rolled back.
    validation = _one_select(dialect)
    validation.statement_types = ["select"] * 4
    texts = ["SELECT no_such_function()", "SELECT v FROM canary", f"SELECT 1; {INSERT}", "SELECT v FROM nowhere"]
    check_on_server(validation, canaries.target(dialect), [(i, t, i + 1, 1) for i, t in enumerate(texts)])
    assert [f.statement for f in validation.findings] == [0, 2, 3]
    sessions.assert_clean(dialect)
    assert canaries.state() == canaries.initial


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_only_checked_types_before_the_first_ddl_reach_the_server(
    dialect: str, canaries: Canaries, sessions: Sessions
) -> None:
    several = f"SELECT 1; {INSERT}"  # rejected wherever it is sent
    validation = _one_select(dialect)
    validation.statement_types = ["insert", "commit", "select", "create", "select"]
    check_on_server(validation, canaries.target(dialect), [(i, several, i + 1, 1) for i in range(5)])
    # MySQL/MariaDB check reads only; nothing after the CREATE is sent.
    assert [f.statement for f in validation.findings] == ([2] if dialect == MY else [0, 2])
    validation = _one_select(dialect)
    validation.statement_types = ["create"]
    check_on_server(validation, canaries.target(dialect), [(0, several, 1, 1)])
    assert validation.server_checked and validation.findings == []
    assert canaries.state() == canaries.initial


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_nul_characters_are_refused_before_sending(dialect: str, canaries: Canaries, sessions: Sessions) -> None:
    validation = _check(canaries, dialect, f"SELECT 1\x00; {INSERT}")
    assert _rejections(validation) == ["the database rejected it: it contains a NUL character"]
    assert canaries.state() == canaries.initial


def test_a_multi_statement_mariadb_connection_is_refused(canaries: Canaries) -> None:
    target = canaries.target(MY)
    target.url += "?client_flag=65536"  # CLIENT.MULTI_STATEMENTS
    with pytest.raises(ConfigurationError, match="multi-statements"):
        check_on_server(_one_select(MY), target, [(0, f"SELECT 1; {INSERT}", 1, 1)])
    assert canaries.state() == canaries.initial


@pytest.mark.parametrize("dialect", [PG, MY])
def test_a_locked_table_does_not_hang_the_check(dialect: str, canaries: Canaries, sessions: Sessions) -> None:
    # PostgreSQL's Parse takes ACCESS SHARE on the table, so it waits, up to the check's lock timeout.
    # MariaDB's prepare only needs a metadata lock that LOCK TABLES ... WRITE leaves free.
    if dialect == PG:
        holder: Any = psycopg.connect(canaries.pg_url)
        holder.execute("LOCK TABLE canary IN ACCESS EXCLUSIVE MODE")
    else:
        holder = mariadb_admin(canaries.mariadb_url.rsplit("/", 1)[1])
        with holder.cursor() as cur:
            cur.execute("LOCK TABLES canary WRITE")
    try:
        start = time.monotonic()
        validation = _check(canaries, dialect, "SELECT v FROM canary")
        elapsed = time.monotonic() - start
    finally:
        if dialect == MY:
            with holder.cursor() as cur:
                cur.execute("UNLOCK TABLES")
        holder.rollback()
        holder.close()
    assert elapsed < 10
    if dialect == PG:
        (message,) = _rejections(validation)
        assert "timeout" in message.lower() and elapsed > 4
    sessions.assert_clean(dialect)
    assert canaries.state() == canaries.initial


@pytest.mark.parametrize("dialect", [PG, MY, LITE])
def test_a_semicolon_in_a_comment_is_not_called_a_second_statement(
    dialect: str, canaries: Canaries, sessions: Sessions
) -> None:
    validation = _check(canaries, dialect, "SELECT 1 -- ;\n)")
    (message,) = _rejections(validation)
    assert "several statements" not in message, message
    sessions.assert_clean(dialect)
