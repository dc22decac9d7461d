"""A query plan as the database estimated it (plain EXPLAIN, never run), and the plan rules over it.

The server's JSON plan (PostgreSQL ``EXPLAIN (FORMAT JSON)``, MySQL/MariaDB ``EXPLAIN FORMAT=JSON``)
becomes one tree of :class:`PlanNode`; the rules with a ``check_plan`` (``perf.plan_*``) read it
through a :class:`PlanContext` and report findings for the statement that was explained.

>>> plan = parse_plan("postgresql", [{"Plan": {"Node Type": "Seq Scan", "Relation Name": "events",
...     "Schema": "public", "Total Cost": 1693.0, "Plan Rows": 100000}}])
>>> (plan.root.op, plan.root.relation, plan.rows, plan.cost)
('seq_scan', 'public.events', 100000, 1693.0)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.validation.context import Settings
from core.validation.model import Finding, PlanEstimate

SEQ_SCAN, NESTED_LOOP, OTHER = "seq_scan", "nested_loop", "other"


class PlanFormatError(ValueError):
    """The server's plan is not the JSON shape sqldraft reads."""


@dataclass(slots=True)
class PlanNode:
    op: str
    """``seq_scan``, ``nested_loop``, or the server's own name for anything else (lower case)."""
    rows: int
    """Rows the node is estimated to produce (per loop, for the inner side of a nested loop)."""
    relation: str | None = None
    """``schema.table`` (PostgreSQL) or ``table`` (MySQL) that a scan reads."""
    cost: float | None = None
    children: list[PlanNode] = field(default_factory=list)
    share: float = 1.0
    """The part of the node's output the statement is estimated to pull (less than 1 under a LIMIT)."""

    def walk(self) -> Iterator[PlanNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(slots=True)
class Plan:
    dialect: str
    root: PlanNode
    rows: int
    """The estimated rows of the whole statement."""
    cost: float | None
    """The planner's total cost (PostgreSQL; MySQL ``query_cost``); None when the server gives none (MariaDB)."""

    def estimate(self, statement: int) -> PlanEstimate:
        return PlanEstimate(statement=statement, rows=self.rows, cost=self.cost)


def parse_plan(dialect: str, data: Any) -> Plan:
    """The plan of ``data`` (the JSON the server returned, as text or decoded).

    Raises:
        PlanFormatError: not the shape this dialect's EXPLAIN returns.
    """
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise PlanFormatError(f"the plan is not JSON: {exc}") from None
    try:
        if dialect == "postgresql":
            return _postgresql(data)
        if dialect == "mysql":
            return _mysql(data)
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise PlanFormatError(f"unexpected plan shape ({type(exc).__name__}: {exc})") from None
    raise PlanFormatError(f"no plan reader for {dialect}")


# --- PostgreSQL ---------------------------------------------------------------------------------


def _postgresql(data: Any) -> Plan:
    top = data[0]["Plan"]
    root = _pg_node(top, 1.0)
    return Plan("postgresql", root, rows=root.rows, cost=root.cost)


_PG_BLOCKING = {"Sort", "Incremental Sort", "Hash", "Aggregate", "Materialize", "WindowAgg", "SetOp", "Gather Merge"}
"""Nodes that read their input whole before returning a row: a LIMIT above them does not shorten the scan."""


def _pg_node(node: Mapping[str, Any], share: float) -> PlanNode:
    kind = str(node["Node Type"])
    op = {"Seq Scan": SEQ_SCAN, "Nested Loop": NESTED_LOOP}.get(kind, kind.lower())
    relation = node.get("Relation Name")
    if relation is not None and node.get("Schema"):
        relation = f"{node['Schema']}.{relation}"
    rows = int(node["Plan Rows"])
    children = list(node.get("Plans", ()))
    below = 1.0 if kind in _PG_BLOCKING else share
    if kind == "Limit" and children:
        below = share * min(1.0, max(rows, 1) / max(float(children[0]["Plan Rows"]), 1.0))
    return PlanNode(
        op=op,
        rows=rows,
        relation=relation,
        cost=float(node["Total Cost"]),
        children=[_pg_node(child, below) for child in children],
        share=share,
    )


# --- MySQL / MariaDB ----------------------------------------------------------------------------


def _mysql(data: Any) -> Plan:
    block = data["query_block"]
    root = _my_block(block)
    cost_info = block.get("cost_info") or {}
    cost = float(cost_info["query_cost"]) if "query_cost" in cost_info else None
    if cost is None and isinstance(block.get("cost"), int | float):  # MariaDB 11
        cost = float(block["cost"])
    return Plan("mysql", root, rows=root.rows, cost=cost)


def _my_block(block: Mapping[str, Any]) -> PlanNode:
    """A query block: its tables in join order (a nested loop when several), plus any subquery blocks."""
    tables: list[PlanNode] = []
    subqueries: list[PlanNode] = []
    _my_collect(block, tables, subqueries)
    if len(tables) == 1:
        main = tables[0]
    elif tables:
        rows = 1
        for t in tables:
            rows *= max(t.rows, 1)
        main = PlanNode(op=NESTED_LOOP, rows=rows, children=tables)
    else:
        main = PlanNode(op="query_block", rows=1)
    if subqueries:
        main = PlanNode(op="query_block", rows=main.rows, children=[main, *subqueries])
    return main


_BLOCK_KEYS = ("query_block",)


def _my_collect(value: Any, tables: list[PlanNode], subqueries: list[PlanNode]) -> None:
    """Walk one block's JSON: ``table`` entries are accesses of this block, nested blocks are subqueries."""
    if isinstance(value, list):
        for item in value:
            _my_collect(item, tables, subqueries)
        return
    if not isinstance(value, Mapping):
        return
    for key, item in value.items():
        if key == "table" and isinstance(item, Mapping) and "table_name" in item:
            tables.append(_my_table(item))
            for inner_key, inner in item.items():
                if isinstance(inner, Mapping | list) and inner_key not in ("cost_info",):
                    _my_collect(inner, tables, subqueries)
        elif key in _BLOCK_KEYS and isinstance(item, Mapping):
            subqueries.append(_my_block(item))
        elif isinstance(item, Mapping | list):
            _my_collect(item, tables, subqueries)


def _my_table(table: Mapping[str, Any]) -> PlanNode:
    scanned = table.get("rows", table.get("rows_examined_per_scan", 1))
    filtered = float(table.get("filtered", 100) or 100)
    produced = max(int(float(scanned) * filtered / 100), 1 if scanned else 0)
    cost_info = table.get("cost_info") or {}
    cost = float(cost_info["prefix_cost"]) if "prefix_cost" in cost_info else None
    access = str(table.get("access_type", "")).lower()
    node = PlanNode(
        op=SEQ_SCAN if access == "all" else (access or "table"),
        rows=produced,
        relation=str(table["table_name"]),
        cost=cost,
    )
    node.children = [PlanNode(op="scanned", rows=int(float(scanned)))] if access == "all" else []
    return node


def scanned_rows(node: PlanNode) -> int:
    """Rows a scan reads (MySQL says how many it examines; PostgreSQL only what it returns)."""
    for child in node.children:
        if child.op == "scanned":
            return child.rows
    return node.rows


def tables_of(plan: Plan) -> list[PlanNode]:
    return [n for n in plan.root.walk() if n.relation is not None]


# --- the plan rules' view ------------------------------------------------------------------------


@dataclass(slots=True)
class PlanContext:
    """What a plan rule sees: the plan, the thresholds, the snapshot's row estimates, and a way to report."""

    plan: Plan
    settings: Settings
    statement: int
    line: int
    column: int
    table_rows: Mapping[str, int]
    """Row estimates by lower-case ``schema.table`` and ``table`` (the snapshot's)."""
    row_limit: int | None = None
    """The statement's LIMIT when rows stream straight to it (no ORDER BY, grouping, DISTINCT or join), else None.
    MySQL's plan does not show a LIMIT; PostgreSQL's does (see :attr:`PlanNode.share`)."""
    findings: list[Finding] = field(default_factory=list)

    def rows_of(self, relation: str | None) -> int | None:
        if relation is None:
            return None
        key = relation.lower()
        return self.table_rows.get(key, self.table_rows.get(key.rsplit(".", 1)[-1]))

    def report(self, rule_id: str, message: str, suggestion: str | None = None) -> None:
        from core.validation.rules import RULES

        rule = RULES[rule_id]
        self.findings.append(
            Finding(
                rule=rule_id,
                category=rule.category,
                severity=rule.severity,
                message=message,
                line=self.line,
                column=self.column,
                suggestion=suggestion,
                risk=rule.risk,
                statement=self.statement,
            )
        )


def plan_findings(ctx: PlanContext) -> list[Finding]:
    """Every plan rule of the dialect, run over ``ctx.plan``."""
    from core.validation.rules import plan_rules

    for rule in plan_rules(ctx.plan.dialect):
        assert rule.check_plan is not None
        rule.check_plan(ctx)
    return ctx.findings
