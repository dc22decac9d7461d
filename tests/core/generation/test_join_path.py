"""Search that finds the join path: name matches, coherence, bridge tables, on the sakila-like schema and
the demo shop (real SQLite snapshots)."""

from pathlib import Path

import pytest

from core.demo import create_sample_database
from core.domain.schema import Column, Dialect, ForeignKey, SchemaModel, Table
from core.generation.retrieval import RetrievalIndex
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.services.schema_search import search_tables
from tests.core.generation.sakila import create_sakila


def _sqlite(path: Path) -> RetrievalIndex:
    with connect(TargetConfig("t", Dialect.SQLITE, f"sqlite:///{path}", None)) as conn:
        return RetrievalIndex.build(introspect(conn, Dialect.SQLITE))


@pytest.fixture(scope="module")
def sakila(tmp_path_factory) -> RetrievalIndex:
    return _sqlite(create_sakila(tmp_path_factory.mktemp("sakila") / "sakila.db"))


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> RetrievalIndex:
    return _sqlite(create_sample_database(tmp_path_factory.mktemp("shop") / "shop.db"))


def _top(index: RetrievalIndex, query: str, k: int = 5) -> list[str]:
    return [t.key for t, _, _ in search_tables(index, query, limit=k, offset=0)[0]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("customers total payments", {"customer", "payment"}),
        ("top 10 customers by total payments", {"customer", "payment"}),
        ("films never rented", {"film", "inventory", "rental"}),
        ("actors in comedy films", {"actor", "film_actor", "film"}),
        ("which staff member took the most rentals", {"staff", "rental"}),
    ],
)
def test_sakila_requests_get_their_tables_together(sakila, query, expected):
    assert expected <= set(_top(sakila, query)), _top(sakila, query, 8)


def test_the_bridge_table_says_what_it_joins(sakila):
    reasons = {t.key: r for t, _, r in search_tables(sakila, "films never rented", limit=10, offset=0)[0]}
    assert reasons["inventory"] == "joins rental and film"
    assert reasons["rental"].startswith("name matches rent")  # rental's base answers "rented"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("customers total payments", {"customers", "orders", "payments"}),
        ("products never ordered", {"products", "order_items", "orders"}),
        ("revenue per product category", {"products"}),
    ],
)
def test_demo_shop_requests_get_their_tables_together(shop, query, expected):
    assert expected <= set(_top(shop, query)), _top(shop, query, 8)


def _t(schema, name, cols, fks=()):
    return Table(
        schema=schema, name=name, columns=[Column(c, "integer") for c in cols], primary_key=[cols[0]],
        foreign_keys=[ForeignKey([c], r, ["id"], ref_schema=schema) for c, r in fks],
    )  # fmt: skip


def test_a_matched_table_that_joins_other_matched_tables_beats_its_look_alikes():
    # "student" exists in ten schemas; the one joined (through has_pet) to pets is the one meant
    tables = [_t(f"college_{i}", "student", ["id", "name", "age"]) for i in range(10)]
    tables += [
        _t("zoo", "student", ["id", "name", "age"]),
        _t("zoo", "pets", ["id", "pet_type", "weight"]),
        _t("zoo", "has_pet", ["id", "student_id", "pet_id"], [("student_id", "student"), ("pet_id", "pets")]),
    ]
    index = RetrievalIndex.build(SchemaModel(Dialect.POSTGRESQL, tables, default_schema="public"))
    top = _top(index, "names of students who own a pet", 3)
    assert set(top) == {"zoo.student", "zoo.pets", "zoo.has_pet"}


def test_seeds_further_than_three_foreign_keys_apart_are_not_joined():
    chain = [_t("s", "alpha", ["id"])] + [
        _t("s", f"link{i}", ["id", "prev_id"], [("prev_id", "alpha" if i == 0 else f"link{i - 1}")]) for i in range(4)
    ]
    chain.append(_t("s", "omega", ["id", "prev_id"], [("prev_id", "link3")]))
    index = RetrievalIndex.build(SchemaModel(Dialect.POSTGRESQL, chain))
    reasons = {k: r for k, _, r in index.rank("alpha omega")}
    assert not any(r.startswith("joins") for r in reasons.values())
    short = [*chain[:3], _t("s", "omega", ["id", "p"], [("p", "link1")])]
    near = {k: r for k, _, r in RetrievalIndex.build(SchemaModel(Dialect.POSTGRESQL, short)).rank("alpha omega")}
    assert near["s.link0"] == near["s.link1"] == "joins s.alpha and s.omega"
