import hashlib
import json

import pytest

from core.domain.schema import Column, Dialect, Index, SchemaModel, Table, UserFunction
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from tests.support.servers import run_mariadb, run_pg

PG_FUNCTIONS = [
    "CREATE SCHEMA app",
    "CREATE SCHEMA scratch",
    "CREATE FUNCTION app.with_tax(p numeric) RETURNS numeric LANGUAGE plpgsql IMMUTABLE "
    "AS $$ BEGIN RETURN p * 1.2; END $$",
    "CREATE FUNCTION app.current_rate() RETURNS numeric LANGUAGE plpgsql STABLE "
    "AS $$ BEGIN RETURN (SELECT 1.2); END $$",
    "CREATE FUNCTION app.bump() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$",
    "CREATE PROCEDURE app.archive() LANGUAGE plpgsql AS $$ BEGIN NULL; END $$",
    "CREATE FUNCTION app.pick(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1'",
    "CREATE FUNCTION app.pick(text) RETURNS text LANGUAGE sql VOLATILE AS 'SELECT $1'",
    "CREATE FUNCTION app.add_step(int, int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN $1 + $2; END $$",
    "CREATE AGGREGATE app.total(int) (SFUNC = app.add_step, STYPE = int)",
    "CREATE FUNCTION app.\"Shout\"(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper(t)'",
    "CREATE FUNCTION scratch.hidden() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1'",
]


def _pg_snapshot(url, **kw):
    target = TargetConfig("t", Dialect.POSTGRESQL, url.replace("postgresql://", "postgresql+psycopg://"), None)
    with connect(target) as conn:
        return introspect(conn, Dialect.POSTGRESQL, **kw)


def _mariadb_snapshot(url):
    target = TargetConfig("t", Dialect.MYSQL, url.replace("mysql://", "mysql+pymysql://"), None)
    with connect(target) as conn:
        return introspect(conn, Dialect.MYSQL)


@pytest.mark.postgres
def test_postgres_records_user_functions_with_their_volatility(pg_url):
    run_pg(pg_url, *PG_FUNCTIONS)
    model = _pg_snapshot(pg_url, exclude_schemas=["scratch"])
    found = {(f.schema, f.name): f for f in model.functions}
    assert found["app", "with_tax"] == UserFunction("app", "with_tax", "function", "immutable")
    assert found["app", "current_rate"].volatility == "stable"
    assert found["app", "bump"].volatility == "volatile"
    assert (found["app", "archive"].kind, found["app", "archive"].volatility) == ("procedure", "volatile")
    assert found["app", "Shout"].volatility == "immutable"
    assert ("scratch", "hidden") not in found


@pytest.mark.postgres
def test_postgres_folds_overloads_and_judges_aggregates_by_their_support_functions(pg_url):
    run_pg(pg_url, *PG_FUNCTIONS)
    model = _pg_snapshot(pg_url)
    picks = [f for f in model.functions if f.name == "pick"]
    assert [f.volatility for f in picks] == ["volatile"]
    total = next(f for f in model.functions if f.name == "total")
    assert (total.kind, total.volatility) == ("aggregate", "volatile")


@pytest.mark.postgres
def test_postgres_functions_survive_the_canonical_round_trip(pg_url):
    run_pg(pg_url, *PG_FUNCTIONS)
    model = _pg_snapshot(pg_url)
    again = SchemaModel.from_canonical(json.loads(model.canonical_json()))
    assert sorted(again.functions, key=lambda f: f.key) == sorted(model.functions, key=lambda f: f.key)
    assert again.checksum() == model.checksum()


@pytest.mark.postgres
def test_postgres_schema_without_user_functions_has_no_functions_key(pg_url):
    run_pg(pg_url, "CREATE TABLE t (id int PRIMARY KEY)")
    model = _pg_snapshot(pg_url)
    assert model.functions == []
    assert "functions" not in model.canonical()


@pytest.mark.mariadb
def test_mariadb_records_routines_with_their_declared_data_access(mariadb_url):
    run_mariadb(
        mariadb_url,
        "CREATE TABLE counter (n int)",
        "CREATE FUNCTION with_tax(p DECIMAL(10,2)) RETURNS DECIMAL(10,2) DETERMINISTIC NO SQL RETURN p * 1.2",
        "CREATE FUNCTION bump() RETURNS INT MODIFIES SQL DATA BEGIN UPDATE counter SET n = n + 1; RETURN 1; END",
        "CREATE FUNCTION plain() RETURNS INT RETURN 1",
        "CREATE PROCEDURE archive() BEGIN DELETE FROM counter; END",
    )
    db = mariadb_url.rsplit("/", 1)[1]
    model = _mariadb_snapshot(mariadb_url)
    found = {f.name: f for f in model.functions}
    assert found["with_tax"] == UserFunction(db, "with_tax", "function", "unknown", "NO SQL", True)
    assert (found["bump"].data_access, found["bump"].deterministic) == ("MODIFIES SQL DATA", False)
    assert found["plain"].data_access == "CONTAINS SQL"
    assert (found["archive"].kind, found["archive"].data_access) == ("procedure", "CONTAINS SQL")
    assert set(found) == {"with_tax", "bump", "plain", "archive"}


@pytest.mark.mariadb
def test_mariadb_schema_without_routines_has_no_functions_key(mariadb_url):
    run_mariadb(mariadb_url, "CREATE TABLE t (id int PRIMARY KEY)")
    model = _mariadb_snapshot(mariadb_url)
    assert model.functions == []
    assert "functions" not in model.canonical()


def _plain_model() -> SchemaModel:
    table = Table(
        schema="app",
        name="parent",
        columns=[Column("id", "integer", nullable=False), Column("name", "text")],
        primary_key=["id"],
        indexes=[Index("parent_pkey", ["id"], unique=True, primary=True)],
    )
    return SchemaModel(
        dialect=Dialect.POSTGRESQL, tables=[table], server_version="15", schemas=["app"], default_schema="app"
    )


def test_a_schema_without_user_functions_keeps_the_checksum_it_had_before_functions_were_recorded():
    model = _plain_model()
    without_key = {k: v for k, v in model.canonical().items() if k != "functions"}
    text = json.dumps(without_key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert model.canonical_json() == text
    assert model.checksum() == hashlib.blake2b(text.encode(), digest_size=32).hexdigest()
    # the value this model had before SchemaModel knew about functions
    assert model.checksum() == "2b2c53e94f6863b41028121b060fbc3b5f7b48b1de0094cbe78928cc41ea36e1"


def test_user_functions_change_the_checksum_and_old_snapshots_read_without_them():
    plain = _plain_model()
    with_function = _plain_model()
    with_function.functions.append(UserFunction("app", "bump", "function", "volatile"))
    assert with_function.checksum() != plain.checksum()
    old = json.loads(plain.canonical_json())
    assert "functions" not in old
    assert SchemaModel.from_canonical(old).functions == []
