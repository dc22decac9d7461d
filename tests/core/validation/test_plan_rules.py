"""The plan rules on recorded plans (the JSON PostgreSQL and MariaDB return), without a server."""

from __future__ import annotations

from typing import Any

import pytest

from core.validation.context import Settings
from core.validation.plan import PlanContext, PlanFormatError, parse_plan, plan_findings


def pg_node(
    kind: str, rows: int, cost: float, *children: dict[str, Any], relation: str | None = None
) -> dict[str, Any]:
    node: dict[str, Any] = {"Node Type": kind, "Plan Rows": rows, "Total Cost": cost}
    if relation:
        node |= {"Relation Name": relation, "Schema": "public"}
    if children:
        node["Plans"] = list(children)
    return node


def my_table(name: str, access: str, rows: int, filtered: float = 100) -> dict[str, Any]:
    return {"table": {"table_name": name, "access_type": access, "rows": rows, "filtered": filtered}}


def rules(dialect: str, data: Any, *, table_rows: dict[str, int] | None = None, row_limit: int | None = None,
          **settings: Any) -> set[str]:  # fmt: skip
    ctx = PlanContext(parse_plan(dialect, data), Settings(**settings), 0, 1, 1, table_rows or {}, row_limit=row_limit)
    return {f.rule for f in plan_findings(ctx)}


def test_a_postgresql_seq_scan_of_a_large_table_is_reported_with_the_snapshots_estimate():
    scan = [{"Plan": pg_node("Seq Scan", 2_000, 2_000.0, relation="events")}]
    assert rules("postgresql", scan) == set()  # the plan alone says 2,000 rows returned
    assert rules("postgresql", scan, table_rows={"public.events": 500_000}) == {"perf.plan_seq_scan"}


def test_a_limit_that_stops_the_scan_early_is_not_a_full_read_but_one_above_a_sort_is():
    scan = pg_node("Seq Scan", 500_000, 9_000.0, relation="events")
    early = [{"Plan": pg_node("Limit", 10, 0.2, scan)}]
    sorted_first = [{"Plan": pg_node("Limit", 10, 20_000.0, pg_node("Sort", 500_000, 19_000.0, scan))}]
    assert rules("postgresql", early) == set()
    assert rules("postgresql", sorted_first) == {"perf.plan_seq_scan"}


def test_a_nested_loop_is_reported_only_when_both_sides_are_large():
    big = pg_node("Seq Scan", 50_000, 900.0, relation="events")
    lookup = pg_node("Index Scan", 1, 0.3, relation="users")
    loop = [{"Plan": pg_node("Nested Loop", 50_000, 20_000.0, big, lookup)}]
    assert "perf.plan_nested_loop" not in rules("postgresql", loop)
    square = [{"Plan": pg_node("Nested Loop", 10**9, 10**8, big, pg_node("Materialize", 50_000, 1_200.0, big))}]
    assert {"perf.plan_nested_loop", "perf.plan_estimate"} <= rules("postgresql", square)


def test_the_estimate_rule_reads_rows_and_cost_against_their_thresholds():
    plan = [{"Plan": pg_node("Index Scan", 40, 5_000.0, relation="events")}]
    assert rules("postgresql", plan) == set()
    assert rules("postgresql", plan, plan_max_rows=40) == {"perf.plan_estimate"}
    assert rules("postgresql", plan, plan_max_cost=4_999.0) == {"perf.plan_estimate"}


def test_mariadb_plans_have_rows_in_join_order_and_no_cost():
    data = {
        "query_block": {
            "select_id": 1,
            "nested_loop": [
                my_table("a", "ALL", 48_000),
                {"block-nl-join": my_table("b", "ALL", 48_000), "join_type": "BNL"},
            ],
        }
    }
    plan = parse_plan("mysql", data)
    assert plan.cost is None and plan.rows == 48_000 * 48_000
    assert rules("mysql", data, large_table_rows=20_000) == {
        "perf.plan_seq_scan", "perf.plan_nested_loop", "perf.plan_estimate"
    }  # fmt: skip


def test_a_mariadb_lookup_and_a_streaming_limit_are_not_full_reads():
    lookup = {"query_block": {"select_id": 1, "table": {"table_name": "e", "access_type": "eq_ref", "rows": 1}}}
    assert rules("mysql", lookup, large_table_rows=10) == set()
    scan = {"query_block": {"select_id": 1, "nested_loop": [my_table("events", "ALL", 50_000)]}}
    assert rules("mysql", scan, large_table_rows=20_000) == {"perf.plan_seq_scan"}
    assert rules("mysql", scan, large_table_rows=20_000, row_limit=10) == set()


def test_subquery_blocks_are_read_too():
    data = {
        "query_block": {
            "select_id": 1,
            "table": {"table_name": "u", "access_type": "const", "rows": 1},
            "subqueries": [{"query_block": {"select_id": 2, "nested_loop": [my_table("events", "ALL", 90_000)]}}],
        }
    }
    assert rules("mysql", data, large_table_rows=50_000) == {"perf.plan_seq_scan"}


@pytest.mark.parametrize(
    ("dialect", "data"),
    [("postgresql", "not json"), ("postgresql", [{"Plan": {"Node Type": "Seq Scan"}}]), ("mysql", {"x": 1}),
     ("sqlite", [])],
)  # fmt: skip
def test_a_plan_of_another_shape_is_a_plan_format_error(dialect, data):
    with pytest.raises(PlanFormatError):
        parse_plan(dialect, data)
