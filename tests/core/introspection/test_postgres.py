import pytest

from core.domain.schema import Dialect, TableKind
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from tests.support.servers import run_pg
from tests.support.wide import wide_ddl

ODD_SCHEMA = [
    "CREATE SCHEMA sales",
    'CREATE SCHEMA "Odd Schema"',
    "CREATE SCHEMA scratch",
    "CREATE TYPE sales.order_state AS ENUM ('new', 'paid', 'shipped')",
    "CREATE TABLE sales.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, "
    "name text, loyalty int GENERATED ALWAYS AS (length(email)) STORED)",
    "COMMENT ON TABLE sales.customers IS 'Kunden – people who buy ✓'",
    "COMMENT ON COLUMN sales.customers.email IS 'adresse électronique'",
    'CREATE TABLE sales."Order" ("Id" int, "Line" int, state sales.order_state NOT NULL DEFAULT \'new\', '
    'customer_id bigint REFERENCES sales.customers (id) ON DELETE CASCADE, PRIMARY KEY ("Id", "Line"))',
    "CREATE TABLE sales.order_notes (order_id int, line int, note text, "
    'FOREIGN KEY (order_id, line) REFERENCES sales."Order" ("Id", "Line"))',
    "CREATE TABLE sales.employees (id int PRIMARY KEY, manager_id int REFERENCES sales.employees (id))",
    'CREATE TABLE "Odd Schema"."select" ("from" text, "where" int)',
    "CREATE INDEX ix_lower_email ON sales.customers (lower(email))",
    "CREATE UNIQUE INDEX ux_manager ON sales.employees (manager_id) WHERE manager_id IS NOT NULL",
    'CREATE VIEW sales.paid_orders AS SELECT "Id", customer_id FROM sales."Order" WHERE state = \'paid\'',
    "CREATE MATERIALIZED VIEW sales.customer_count AS SELECT count(*) AS n FROM sales.customers",
    "CREATE TABLE sales.events (id int, at date) PARTITION BY RANGE (at)",
    "CREATE TABLE sales.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
    "CREATE TABLE scratch.tmp (x int)",
]


def _snapshot(url, **kw):
    target = TargetConfig(
        name="t", dialect=Dialect.POSTGRESQL, url=url.replace("postgresql://", "postgresql+psycopg://"), password=None
    )
    with connect(target) as conn:
        return introspect(conn, Dialect.POSTGRESQL, **kw)


@pytest.fixture
def odd_pg(pg_url):
    run_pg(pg_url, *ODD_SCHEMA)
    return pg_url


def test_postgres_reads_every_kind_of_object(odd_pg):
    model = _snapshot(odd_pg)
    tables = model.table_map()
    assert {"sales", "Odd Schema", "scratch", "public"} <= set(model.schemas)
    customers = tables["sales.customers"]
    assert customers.comment == "Kunden – people who buy ✓"
    assert customers.column("email").comment == "adresse électronique"
    assert customers.column("id").identity == "always"
    assert customers.column("loyalty").generated == "length(email)"
    assert customers.column("loyalty").default is None
    assert ["email"] in [u.columns for u in customers.unique_constraints]
    assert any(ix.columns == ["(lower(email))"] for ix in customers.indexes)

    order = tables["sales.Order"]
    assert order.primary_key == ["Id", "Line"]
    assert order.column("state").enum_labels == ["new", "paid", "shipped"]
    assert order.column("state").nullable is False
    assert order.foreign_keys[0].on_delete == "CASCADE"

    notes = tables["sales.order_notes"]
    assert notes.primary_key == []
    assert notes.foreign_keys[0].columns == ["order_id", "line"]
    assert notes.foreign_keys[0].ref_columns == ["Id", "Line"]
    assert notes.foreign_keys[0].ref_key == "sales.Order"

    employees = tables["sales.employees"]
    assert employees.foreign_keys[0].ref_key == "sales.employees"
    partial = next(ix for ix in employees.indexes if ix.name == "ux_manager")
    assert partial.unique and partial.predicate == "(manager_id IS NOT NULL)"

    reserved = tables["Odd Schema.select"]
    assert [c.name for c in reserved.columns] == ["from", "where"]

    assert tables["sales.paid_orders"].kind is TableKind.VIEW
    assert tables["sales.paid_orders"].depends_on == ["sales.Order"]
    assert tables["sales.customer_count"].kind is TableKind.MATERIALIZED_VIEW
    assert tables["sales.events"].kind is TableKind.PARTITIONED_TABLE
    assert tables["sales.events_2026"].partition_of == "sales.events"
    assert {e.key for e in model.enums} == {"sales.order_state"}


def test_postgres_include_and_exclude_schemas(odd_pg):
    only_sales = _snapshot(odd_pg, include_schemas=["sales"])
    assert {t.schema for t in only_sales.tables} == {"sales"}
    no_scratch = _snapshot(odd_pg, exclude_schemas=["scratch", "Odd*"])
    assert {t.schema for t in no_scratch.tables} == {"sales"}


def test_postgres_snapshot_is_stable_across_runs(odd_pg):
    assert _snapshot(odd_pg).checksum() == _snapshot(odd_pg).checksum()


def test_postgres_two_thousand_tables(pg_url):
    statements = wide_ddl(2000, "postgresql")
    run_pg(pg_url, "BEGIN; " + "; ".join(statements) + "; COMMIT")
    model = _snapshot(pg_url)
    tables = model.table_map()
    assert len(tables) == 2000
    assert tables["public.t01999"].foreign_keys[0].ref_key == f"public.t{(1999 * 7) % 1999:05d}"
    assert sum(len(t.indexes) for t in model.tables) == 2000 + 1999
