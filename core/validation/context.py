"""What a rule sees: the statement, its tree, the schema index, the mode, and a way to report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.catalog import RULES
from core.validation.model import Access, Finding, ImpactedObject, RiskLevel, ScriptMode, Severity
from core.validation.names import SchemaIndex
from core.validation.resolve import Resolution
from core.validation.script import Script, Statement


@dataclass(slots=True)
class Settings:
    large_table_rows: int = 100_000
    large_offset: int = 10_000
    huge_literal: int = 10_000_000
    safe_functions: frozenset[str] = frozenset()
    """The connection's own additions to the function allowlist (``name`` or ``schema.name``, lower case)."""


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
    _nodes: list[exp.Expression] | None = None

    def find_all(self, *types: type) -> list[Any]:
        """Nodes of the statement's tree of the given types (the tree is walked once per statement)."""
        if self._nodes is None:
            self._nodes = list(self.tree.walk()) if self.tree is not None else []
        return [n for n in self._nodes if isinstance(n, types)]

    @property
    def dialect(self) -> Dialect:
        return self.script.dialect

    @property
    def tree(self) -> exp.Expression | None:
        return self.statement.tree

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
