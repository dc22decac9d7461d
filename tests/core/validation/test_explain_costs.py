"""Plan cost findings on real PostgreSQL and MariaDB: plain EXPLAIN of reads, never ANALYZE, nothing run.

Each test database holds ``events`` (50,000 rows, primary key and an index on ``user_id``) and ``users``
(5,000 rows), analysed, so the planner's estimates are real. Reads that scan or loop over them get
``perf.plan_*`` findings; indexed lookups on the same tables get none. A canary table and sequence show
that explaining runs nothing: not a function that writes (even one falsely declared IMMUTABLE, which
PostgreSQL's planner folds), not EXPLAIN ANALYZE text (refused before anything is sent).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from core.bootstrap import build_copilot
from core.domain.schema import Dialect
from core.errors import InvalidInput
from core.introspection.targets import TargetConfig
from core.service import Copilot
from core.textfmt import render_validation
from core.validation.context import Settings
from core.validation.explain import NotAPlainRead, explain_on_server, plain_read_refusal, plan_of
from core.validation.model import RiskLevel, ScriptMode, Status, Validation
from core.validation.plan import PlanFormatError
from tests.conftest import make_settings
from tests.support.servers import mariadb_admin, mariadb_database, pg_database, run_mariadb, run_pg, store_url_for_pg

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb]

PG, MY = "postgresql", "mysql"
PLAN_RULES = {"perf.plan_seq_scan", "perf.plan_estimate", "perf.plan_nested_loop"}

PG_SETUP = (
    "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL)",
    "INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 5000) g",
    "CREATE TABLE events (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id), payload text NOT NULL)",
    "INSERT INTO events SELECT g, 1 + g % 5000, md5(g::text) FROM generate_series(1, 50000) g",
    "CREATE INDEX events_user_id ON events (user_id)",
    "CREATE TABLE canary (v text)",
    "INSERT INTO canary VALUES ('a'), ('b')",
    "CREATE SEQUENCE canary_seq",
    "CREATE FUNCTION writer_function() RETURNS int LANGUAGE plpgsql AS "
    "$$ BEGIN INSERT INTO canary VALUES ('x'); PERFORM nextval('canary_seq'); RETURN 1; END $$",
    # a lie the planner believes: IMMUTABLE, so it is evaluated while planning a call with constants
    # (PL/pgSQL refuses an INSERT in a non-volatile function itself; nextval it lets through)
    "CREATE FUNCTION sneaky(n int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS "
    "$$ BEGIN PERFORM nextval('canary_seq'); RETURN n; END $$",
    "ANALYZE",
)
MY_SETUP = (
    "CREATE TABLE users (id int PRIMARY KEY, name varchar(40) NOT NULL) ENGINE=InnoDB",
    "INSERT INTO users SELECT seq, CONCAT('user ', seq) FROM seq_1_to_5000",
    "CREATE TABLE events (id int PRIMARY KEY, user_id int NOT NULL, payload varchar(40) NOT NULL, "
    "KEY events_user_id (user_id)) ENGINE=InnoDB",
    "INSERT INTO events SELECT seq, 1 + seq % 5000, MD5(seq) FROM seq_1_to_50000",
    "CREATE TABLE canary (v varchar(10)) ENGINE=InnoDB",
    "INSERT INTO canary VALUES ('a'), ('b')",
    "CREATE TABLE canary_myisam (v varchar(10)) ENGINE=MyISAM",
    "INSERT INTO canary_myisam VALUES ('a')",
    "CREATE SEQUENCE canary_seq NOCACHE",
    "CREATE FUNCTION writer_function() RETURNS INT MODIFIES SQL DATA BEGIN "
    "INSERT INTO canary VALUES ('x'); INSERT INTO canary_myisam VALUES ('x'); RETURN NEXTVAL(canary_seq); END",
    "CREATE FUNCTION sneaky(n INT) RETURNS INT DETERMINISTIC MODIFIES SQL DATA BEGIN "
    "INSERT INTO canary VALUES ('x'); INSERT INTO canary_myisam VALUES ('x'); RETURN n; END",
    "ANALYZE TABLE users, events",
)

BENIGN = [
    "SELECT id, payload FROM events WHERE id = 42",
    "SELECT e.id, e.payload FROM events e WHERE e.user_id = 7",
    "SELECT count(*) FROM events WHERE user_id = 3",
    "SELECT id FROM events WHERE id BETWEEN 100 AND 120",
    "SELECT e.id, u.name FROM events e JOIN users u ON u.id = e.user_id WHERE e.id = 9",
    "SELECT u.name, e.payload FROM users u JOIN events e ON e.user_id = u.id WHERE u.id = 11",
    "SELECT id, payload FROM events LIMIT 10",
    "SELECT id FROM events WHERE id IN (1, 2, 3) ORDER BY id",
]

HOSTILE_TEXT = [
    "EXPLAIN ANALYZE SELECT writer_function()",
    "EXPLAIN (ANALYZE) SELECT writer_function()",
    "EXPLAIN (FORMAT JSON, ANALYZE true) SELECT writer_function()",
    "explain analyse select writer_function()",
    "/* plan please */ EXPLAIN ANALYZE SELECT writer_function()",
    "EXPLAIN SELECT writer_function()",
    "ANALYZE SELECT writer_function()",
    "ANALYZE FORMAT=JSON SELECT writer_function()",
    "SELECT 1; EXPLAIN ANALYZE DELETE FROM canary",
    "WITH d AS (DELETE FROM canary RETURNING 1) SELECT * FROM d",
    "SELECT * INTO newtable FROM canary",
    "SELECT v FROM canary FOR UPDATE",
    "DELETE FROM canary",
    "INSERT INTO canary VALUES ('x')",
    "CALL writer_proc()",
    "DO $$ BEGIN INSERT INTO canary VALUES ('x'); END $$",
]
MYSQL_HOSTILE_TEXT = [
    "/*!50000 ANALYZE */ SELECT writer_function()",
    "/*M! ANALYZE */ SELECT writer_function()",
    "SELECT 1 /*! ; INSERT INTO canary VALUES ('x') */",
    "SELECT 1 /*!; EXPLAIN ANALYZE SELECT writer_function() */",
    "ANALYZE FORMAT=JSON SELECT 1 # comment",
]


class Db:
    """A seeded target database of one dialect, with its canary state."""

    def __init__(self, dialect: str, url: str) -> None:
        self.dialect, self.url = dialect, url

    @property
    def target(self) -> TargetConfig:
        if self.dialect == PG:
            return TargetConfig("db", Dialect.POSTGRESQL, store_url_for_pg(self.url), None)
        return TargetConfig("db", Dialect.MYSQL, self.url.replace("mysql://", "mysql+pymysql://"), None)

    def canary(self) -> dict[str, Any]:
        if self.dialect == PG:
            with psycopg.connect(self.url, autocommit=True) as c:
                return {
                    "canary": c.execute("SELECT v FROM canary ORDER BY v").fetchall(),
                    "sequence": c.execute("SELECT last_value, is_called FROM canary_seq").fetchall(),
                    "prepared": c.execute("SELECT count(*) FROM pg_prepared_statements").fetchall(),
                }
        conn = mariadb_admin(self.url.rsplit("/", 1)[1])
        try:
            with conn.cursor() as cur:
                out = {}
                for name, sql in (
                    ("canary", "SELECT v FROM canary ORDER BY v"),
                    ("myisam", "SELECT v FROM canary_myisam ORDER BY v"),
                    ("sequence", "SELECT next_not_cached_value FROM canary_seq"),
                ):
                    cur.execute(sql)
                    out[name] = list(cur.fetchall())
                return out
        finally:
            conn.close()


@pytest.fixture(scope="module")
def databases() -> Iterator[dict[str, Db]]:
    with pg_database() as pg_url, mariadb_database() as my_url:
        run_pg(pg_url, *PG_SETUP)
        run_mariadb(my_url, *MY_SETUP)
        yield {PG: Db(PG, pg_url), MY: Db(MY, my_url)}


@pytest.fixture(params=[PG, MY])
def db(request: pytest.FixtureRequest, databases: dict[str, Db]) -> Db:
    return databases[request.param]


@pytest.fixture
def copilot_on(db: Db, tmp_path: Path, secret_key: str) -> Iterator[Copilot]:
    settings = make_settings(f"sqlite:///{tmp_path / 'store.db'}", secret_key, tmp_path, large_table_rows=20_000)
    copilot = build_copilot(settings)
    copilot.add_connection("db", db.url)
    copilot.refresh_snapshot("db")
    yield copilot
    copilot.close()


def _plan_rules(v: Validation) -> set[str]:
    return {f.rule for f in v.findings} & PLAN_RULES


# --- findings from real plans ---------------------------------------------------------------------


def test_the_server_check_reports_a_sequential_scan_of_a_large_table(db, copilot_on):
    v = copilot_on.validate(
        "SELECT id, payload FROM events WHERE payload LIKE '%ab%'", connection="db", server_check=True
    )
    assert "perf.plan_seq_scan" in _plan_rules(v), v.findings
    seq = next(f for f in v.findings if f.rule == "perf.plan_seq_scan")
    assert "events" in seq.message and seq.line == 1 and seq.statement == 0
    assert v.plans is not None and len(v.plans) == 1 and v.plans[0].rows > 0
    assert (v.plans[0].cost is not None) is (db.dialect == PG)  # MariaDB's plan has no cost


def test_a_join_of_large_tables_on_an_inequality_is_over_the_row_and_cost_thresholds(db, copilot_on):
    v = copilot_on.validate(
        "SELECT a.id, b.id FROM events a JOIN events b ON a.id < b.id", connection="db", server_check=True
    )
    assert "perf.plan_estimate" in _plan_rules(v), v.findings
    assert v.plans is not None and v.plans[0].rows >= 100_000_000


def test_a_read_the_validator_already_calls_risky_is_not_explained(db, copilot_on):
    v = copilot_on.validate("SELECT a.id, b.id FROM events a CROSS JOIN events b", connection="db", server_check=True)
    assert v.risk_level.rank > RiskLevel.LOW.rank and v.plans is None


def test_a_nested_loop_over_two_large_inputs_is_reported(db, copilot_on):
    v = copilot_on.validate(
        "SELECT a.id FROM events a JOIN events b ON a.payload < b.payload", connection="db", server_check=True
    )
    assert "perf.plan_nested_loop" in _plan_rules(v), v.findings


@pytest.mark.parametrize("sql", BENIGN)
def test_indexed_lookups_on_the_same_tables_get_no_cost_finding(db, copilot_on, sql):
    v = copilot_on.validate(sql, connection="db", server_check=True)
    assert v.plans is not None and len(v.plans) == 1, v.findings
    assert _plan_rules(v) == set(), [f"{f.rule}: {f.message}" for f in v.findings]


def test_the_thresholds_are_settings(db, databases, tmp_path, secret_key):
    settings = make_settings(
        f"sqlite:///{tmp_path / 'strict.db'}", secret_key, tmp_path, plan_max_rows=5, plan_max_cost=1.0
    )
    copilot = build_copilot(settings)
    try:
        copilot.add_connection("db", db.url)
        copilot.refresh_snapshot("db")
        v = copilot.validate("SELECT id FROM events WHERE user_id = 7", connection="db", server_check=True)
    finally:
        copilot.close()
    assert "perf.plan_estimate" in _plan_rules(v), v.findings


def test_only_the_plain_reads_of_a_script_are_explained(db, copilot_on):
    script = (
        "SELECT id FROM events WHERE id = 1;\nDELETE FROM canary WHERE v = 'zzz';\nSELECT id FROM users WHERE id = 2"
    )
    v = copilot_on.validate(script, connection="db", mode="dml", server_check=True)
    assert v.plans is not None and [p.statement for p in v.plans] == [0, 2]
    assert render_validation(v).count("plan estimate: statement") == 2


def test_the_estimates_are_compact_in_json_and_shown_as_text(db, copilot_on):
    v = copilot_on.validate("SELECT id FROM events WHERE id = 5", connection="db", server_check=True)
    plans = v.to_dict()["plans"]
    assert plans == [{"statement": 0, "rows": v.plans[0].rows, "cost": v.plans[0].cost}]
    assert Validation.from_dict(v.to_dict()).plans == v.plans
    assert "plan estimate: about 1 rows" in render_validation(v)
    unchecked = copilot_on.validate("SELECT id FROM events WHERE id = 5", connection="db")
    assert unchecked.plans is None and "plans" not in unchecked.to_dict()
    assert "plan estimate" not in render_validation(unchecked)


# --- nothing is ever run ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT writer_function()",
        "SELECT v FROM canary WHERE writer_function() = 1",
        "SELECT w FROM (SELECT writer_function() AS w) AS d",
        "SELECT sneaky(1)",
        "SELECT id FROM events WHERE id = sneaky(5)",
    ],
)
def test_explaining_a_read_that_calls_a_writing_function_changes_nothing(db, sql):
    before = db.canary()
    # past the validator's gate on purpose: the session itself must hold. PlanFormatError: the read-only
    # transaction refused the write the planner tried (PostgreSQL folding sneaky).
    with contextlib.suppress(PlanFormatError):
        plan_of(db.target, sql)
    assert db.canary() == before


def test_the_validator_does_not_let_a_read_that_calls_a_volatile_writer_be_explained(db, copilot_on):
    before = db.canary()
    v = copilot_on.validate("SELECT writer_function()", connection="db", server_check=True)
    assert v.risk_level.rank > RiskLevel.LOW.rank and v.plans is None and _plan_rules(v) == set()
    assert db.canary() == before


def test_a_writer_declared_immutable_passes_the_validator_but_the_read_only_transaction_holds(db, copilot_on):
    before = db.canary()
    v = copilot_on.validate("SELECT id FROM events WHERE id = sneaky(5)", connection="db", server_check=True)
    if db.dialect == PG:  # the snapshot says IMMUTABLE, so the read is explained, and the planner folds the call
        assert v.plans is None and v.status is Status.FAIL  # the planner's INSERT failed: read-only transaction
        refused = next(f for f in v.findings if f.rule == "syntax.server_rejected")
        assert refused.message.startswith("the database refused to plan it: ") and "read-only" in refused.message
    assert db.canary() == before


HOSTILE = [(d, t) for t in HOSTILE_TEXT for d in (PG, MY)] + [(MY, t) for t in MYSQL_HOSTILE_TEXT]


@pytest.mark.parametrize(("db", "sql"), HOSTILE, indirect=["db"], ids=[f"{d}-{t}" for d, t in HOSTILE])
def test_text_that_is_not_one_plain_read_is_refused_before_anything_is_sent(db, copilot_on, sql):
    before = db.canary()
    dialect = Dialect(db.dialect)
    assert plain_read_refusal(sql, dialect) is not None
    nowhere = TargetConfig("nowhere", dialect, f"{db.target.url.split('://')[0]}://u@127.0.0.1:1/x", None)
    with pytest.raises(NotAPlainRead, match=r"^not explained: "):
        plan_of(nowhere, sql)  # refused without connecting: a closed port would say otherwise
    with pytest.raises(NotAPlainRead):
        plan_of(db.target, sql)
    try:
        v = copilot_on.validate(sql, connection="db", mode="dml", server_check=True)
    except InvalidInput:
        v = None
    for p in (v.plans or []) if v is not None else []:  # a plain read elsewhere in the script may be explained
        assert plain_read_refusal(v.statements[p.statement].text.rstrip(";"), dialect) is None
    assert db.canary() == before


def test_a_validation_with_nothing_to_explain_opens_no_connection(db):
    nowhere = TargetConfig("nowhere", Dialect(db.dialect), f"{db.target.url.split('://')[0]}://u@127.0.0.1:1/x", None)
    v = Validation(Status.PASS, [], [], ["explain"], RiskLevel.NONE, db.dialect, ScriptMode.QUERY)
    explain_on_server(v, nowhere, Settings())
    assert v.plans is None


# --- the drafting pipeline, when the connection allows it -------------------------------------------


def test_drafting_adds_plan_estimates_only_when_the_connection_allows_it(db, tmp_path, secret_key):
    settings = make_settings(f"sqlite:///{tmp_path / 'draft.db'}", secret_key, tmp_path, generator="offline")
    copilot = build_copilot(settings)
    try:
        copilot.add_connection("db", db.url)
        copilot.refresh_snapshot("db")
        plain = copilot.draft("db", "list events", requester="cli:test")
        assert plain.validation is not None and "plans" not in plain.validation
        with pytest.raises(InvalidInput, match="explain_costs must be yes or no"):
            copilot.set_connection_options("db", explain_costs="maybe")
        copilot.set_connection_options("db", explain_costs=True)
        explained = copilot.draft("db", "list events", requester="cli:test")
    finally:
        copilot.close()
    assert explained.validation is not None, explained
    assert explained.validation.get("plans"), explained.validation
    assert explained.validation["plans"][0]["rows"] >= 1
