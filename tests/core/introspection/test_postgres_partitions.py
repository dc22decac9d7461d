"""Partitions on real PostgreSQL: introspection records parent, key and bound; search, retrieval and prompts
fold them into one entry (declarative partitions and pg_inherits children, like sakila's payment_p2007_*)."""

import pytest

from core.domain.schema import Dialect, SchemaModel, Table, TableKind
from core.generation.examples import Example
from core.generation.retrieval import RetrievalIndex
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.services.schema_search import search_tables
from tests.support.servers import run_pg

MONTHS = [f"2007-{m:02d}-01" for m in range(1, 8)]
SAKILA_PARTITIONED = [
    "CREATE TABLE store (store_id int PRIMARY KEY, address text)",
    "CREATE TABLE customer (customer_id int PRIMARY KEY, store_id int NOT NULL REFERENCES store, "
    "first_name text, last_name text, email text)",
    "COMMENT ON TABLE customer IS 'a person who rents films'",
    "CREATE TABLE film (film_id int PRIMARY KEY, title text NOT NULL, rental_rate numeric(4,2))",
    "CREATE TABLE inventory (inventory_id int PRIMARY KEY, film_id int NOT NULL REFERENCES film, "
    "store_id int NOT NULL REFERENCES store)",
    "CREATE TABLE rental (rental_id int PRIMARY KEY, rental_date timestamp NOT NULL, "
    "inventory_id int NOT NULL REFERENCES inventory, customer_id int NOT NULL REFERENCES customer, "
    "return_date timestamp)",
    # sakila's PostgreSQL port: monthly children by inheritance with CHECK constraints
    "CREATE TABLE rental_2005_05 (CHECK (rental_date >= '2005-05-01' AND rental_date < '2005-06-01')) "
    "INHERITS (rental)",
    "CREATE TABLE rental_2005_06 (CHECK (rental_date >= '2005-06-01' AND rental_date < '2005-07-01')) "
    "INHERITS (rental)",
    # and declarative partitioning, as pagila has it today
    "CREATE TABLE payment (payment_id int NOT NULL, customer_id int NOT NULL REFERENCES customer, "
    "rental_id int, amount numeric(5,2) NOT NULL, payment_date timestamp NOT NULL, "
    "PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date)",
    *[
        f"CREATE TABLE payment_p2007_{i + 1:02d} PARTITION OF payment "
        f"FOR VALUES FROM ('{MONTHS[i]}') TO ('{MONTHS[i + 1]}')"
        for i in range(6)
    ],
    "CREATE TABLE staff (staff_id int PRIMARY KEY, store_id int REFERENCES store, username text)",
]


def _snapshot(url: str) -> SchemaModel:
    target = TargetConfig("t", Dialect.POSTGRESQL, url.replace("postgresql://", "postgresql+psycopg://"), None)
    with connect(target) as conn:
        return introspect(conn, Dialect.POSTGRESQL)


@pytest.fixture
def sakila_pg(pg_url):
    run_pg(pg_url, *SAKILA_PARTITIONED)
    return _snapshot(pg_url)


def test_introspection_records_parent_key_and_bound(sakila_pg):
    tables = sakila_pg.table_map()
    payment = tables["public.payment"]
    assert payment.kind is TableKind.PARTITIONED_TABLE and payment.partition_key == "RANGE (payment_date)"
    first = tables["public.payment_p2007_01"]
    assert first.partition_of == "public.payment" and first.partition_key is None
    assert first.partition_bound == "FOR VALUES FROM ('2007-01-01 00:00:00') TO ('2007-02-01 00:00:00')"
    child = tables["public.rental_2005_05"]
    assert child.partition_of == "public.rental" and child.partition_bound is None
    assert tables["public.rental"].partition_of is None and tables["public.rental"].partition_key is None
    assert tables["public.customer"].partition_of is None
    # the fields survive the canonical form, and a snapshot written before them still loads
    again = SchemaModel.from_canonical(sakila_pg.canonical())
    assert again.table_map()["public.payment_p2007_01"].partition_bound == first.partition_bound
    old = {k: v for k, v in payment.to_dict().items() if k not in ("partition_key",)}
    assert Table.from_dict(old).partition_key is None


def test_search_folds_partitions_and_finds_the_join(sakila_pg):
    index = RetrievalIndex.build(sakila_pg)
    page, total = search_tables(index, "customers total payments", limit=5, offset=0)
    keys = [t.key for t, _, _ in page]
    assert {"public.customer", "public.payment"} <= set(keys[:2])
    assert not any("_p2007_" in k or "rental_2005" in k for k, _, _ in index.rank("payments in 2007 rentals"))
    reason = dict((t.key, r) for t, _, r in page)["public.payment"]
    assert reason.endswith(
        "partitioned by range (payment_date), 6 partitions (payment_p2007_01, payment_p2007_02, payment_p2007_03,"
        " ... payment_p2007_06)"
    )
    assert total <= len(index.docs) == len(sakila_pg.tables) - 8  # six partitions and two children folded
    rentals = dict((t.key, r) for t, _, r in search_tables(index, "films never rented", limit=5, offset=0)[0])
    assert {"public.film", "public.inventory", "public.rental"} <= set(rentals)
    assert "partitioned by inheritance, 2 child tables (rental_2005_05, rental_2005_06)" in rentals["public.rental"]


def test_prompts_show_one_entry_per_partitioned_table(sakila_pg):
    index = RetrievalIndex.build(sakila_pg)
    whole = index.retrieve("customers total payments", budget=100_000)
    assert whole.whole_schema and "payment_p2007" not in " ".join(t.key for t in whole.tables)
    assert "CREATE TABLE payment_p2007_01" not in whole.text
    assert "-- payment is partitioned by range (payment_date), 6 partitions" in whole.text
    some = index.retrieve("customers total payments", budget=index.by_key["public.payment"].tokens + 120)
    assert [t.key for t in some.tables][:1] == ["public.payment"] and not some.whole_schema
    # an approved example that read a partition counts for its parent
    used = index.rank("something else entirely", [Example(1, "x", "SELECT 1", ["public.payment_p2007_03"])])
    assert [k for k, _, _ in used] == ["public.payment"]
    # foreign keys of partitions are the parent's: no edge leads to a partition
    assert all("_p2007_" not in n for ns in index.neighbours.values() for n in ns)


def test_detaching_a_partition_is_a_change_of_the_table(pg_url, sakila_pg):
    from core.domain.diff import diff_schemas

    run_pg(pg_url, "ALTER TABLE payment DETACH PARTITION payment_p2007_06")
    after = _snapshot(pg_url)
    assert after.checksum() != sakila_pg.checksum()
    changed = {t.key: t for t in diff_schemas(sakila_pg, after).tables_changed}
    attrs = {c.name for c in changed["public.payment_p2007_06"].attributes_changed}
    assert {"partition_of", "partition_bound"} <= attrs
    assert "public.payment_p2007_06" in RetrievalIndex.build(after).by_key  # a table of its own again
