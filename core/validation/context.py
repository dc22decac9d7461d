"""What a rule sees: the statement, its tree, the schema index, the mode, the stages' facts, and a way to report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.model import Access, Finding, ImpactedObject, RiskLevel, ScriptMode, Severity
from core.validation.names import SchemaIndex
from core.validation.resolve import ColumnRef, Resolution
from core.validation.script import Issue, Script, Statement

if TYPE_CHECKING:
    from core.validation.schema_changes import Change

NodeType = type[exp.Expr]
"""A sqlglot node class (named here: inside StatementContext, ``type`` is a field)."""


@dataclass(slots=True)
class Settings:
    large_table_rows: int = 100_000
    large_offset: int = 10_000
    huge_literal: int = 10_000_000
    plan_max_rows: int = 1_000_000
    """Estimated rows of a statement's plan from which perf.plan_estimate reports it."""
    plan_max_cost: float = 1_000_000.0
    """Planner cost of a statement's plan from which perf.plan_estimate reports it."""
    nested_loop_rows: int = 10_000
    """Estimated rows on both sides of a nested loop from which perf.plan_nested_loop reports it."""
    safe_functions: frozenset[str] = frozenset()
    """The connection's own additions to the function allowlist (``name`` or ``schema.name``, lower case)."""


@dataclass(slots=True)
class Problem:
    """Something a stage established for one rule to report (an unknown column, an existing table)."""

    rule: str
    message: str
    node: Any = None
    suggestion: str | None = None
    severity: Severity | None = None
    risk: RiskLevel | None = None


@dataclass(slots=True)
class StatementContext:
    script: Script
    statement: Statement
    index: SchemaIndex
    mode: ScriptMode
    settings: Settings
    findings: list[Finding]
    impacted: list[ImpactedObject]
    kind: str = "read"
    """read, dml, ddl, privilege, session, transaction, lock, dynamic, maintenance, file."""
    type: str = "select"
    resolution: Resolution = field(default_factory=Resolution)
    problems: list[Problem] = field(default_factory=list)
    """Facts the resolve and schema-change stages found, each reported by its own rule."""
    changes: list[Change] = field(default_factory=list)
    """What a DDL statement does to the working schema (see core.validation.schema_changes)."""
    _nodes: list[exp.Expr] | None = None
    _refs: dict[int, ColumnRef] | None = None
    _found: dict[tuple[NodeType, ...], list[Any]] = field(default_factory=dict)

    def find_all(self, *types: NodeType) -> list[Any]:
        """Nodes of the statement's tree of the given types (the tree is walked once per statement)."""
        found = self._found.get(types)
        if found is None:
            if self._nodes is None:
                self._nodes = list(self.tree.walk()) if self.tree is not None else []
            found = self._found[types] = [n for n in self._nodes if isinstance(n, types)]
        return found

    @property
    def dialect(self) -> Dialect:
        return self.script.dialect

    @property
    def tree(self) -> exp.Expr | None:
        """The statement's tree when it can be analysed (not an opaque Command)."""
        tree = self.statement.tree
        return None if isinstance(tree, exp.Command | exp.Alias) else tree

    @property
    def opaque(self) -> bool:
        """sqlglot could only keep the statement as text: nothing in it can be checked."""
        return self.statement.opaque or isinstance(self.statement.tree, exp.Command | exp.Alias)

    @property
    def classified(self) -> bool:
        """Whether the statement's kind is known well enough to judge it against the mode."""
        blocked = any(i.rule in BLOCKING for i in self.statement.issues)
        return self.tree is not None or self.opaque or blocked

    @property
    def column_refs(self) -> dict[int, ColumnRef]:
        """Resolved column references by node id."""
        if self._refs is None:
            self._refs = {id(r.node): r for r in self.resolution.columns}
        return self._refs

    def issues_of(self, rule_id: str) -> list[Issue]:
        return [i for i in self.statement.issues if i.rule == rule_id]

    def report_problems(self, rule_id: str) -> None:
        """Report what a stage found for ``rule_id``."""
        for p in self.problems:
            if p.rule == rule_id:
                self.report(rule_id, p.message, p.node, p.suggestion, severity=p.severity, risk=p.risk)

    def offset_of(self, node: Any) -> int:
        if isinstance(node, int):
            return node
        if isinstance(node, exp.Expression):
            for candidate in (node, *node.walk()):
                start = candidate.meta.get("start") if isinstance(candidate, exp.Expression) else None
                if isinstance(start, int):
                    return start
        return self.statement.start

    def report(
        self,
        rule_id: str,
        message: str,
        node: Any = None,
        suggestion: str | None = None,
        *,
        severity: Severity | None = None,
        risk: RiskLevel | None = None,
    ) -> None:
        from core.validation.rules import RULES

        rule = RULES[rule_id]
        line, column = self.script.position(self.offset_of(node))
        self.findings.append(
            Finding(
                rule=rule_id,
                category=rule.category,
                severity=severity or rule.severity,
                message=message,
                line=line,
                column=column,
                suggestion=suggestion,
                risk=risk or rule.risk,
                statement=self.statement.index,
            )
        )

    def touch(self, type_: str, name: str, access: Access, reason: str | None = None) -> None:
        self.impacted.append(ImpactedObject(type=type_, name=name, access=access, reason=reason))


BLOCKING = {"syntax.parse_error", "syntax.too_complex", "syntax.ambiguous_lexing"}
"""Issues that leave a statement without a tree: it is judged by its keywords alone."""
