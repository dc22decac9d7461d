"""The validation result: one shape everywhere (CLI, Slack, MCP, drafts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    SYNTAX = "syntax"
    SCHEMA = "schema"
    PERFORMANCE = "performance"
    RISK = "risk"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class RiskLevel(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ["none", "low", "medium", "high", "critical"].index(self.value)

    @classmethod
    def highest(cls, levels: list[RiskLevel]) -> RiskLevel:
        return max(levels, key=lambda r: r.rank, default=cls.NONE)


class ScriptMode(StrEnum):
    """What the script is meant to do; a write in a ``query`` is a critical finding."""

    QUERY = "query"
    DML = "dml"
    DDL = "ddl"


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class Access(StrEnum):
    READ = "read"
    WRITE = "write"
    DDL = "ddl"


@dataclass(slots=True)
class Finding:
    rule: str
    category: Category
    severity: Severity
    message: str
    line: int
    column: int
    suggestion: str | None = None
    risk: RiskLevel | None = None
    statement: int = 0
    """Index of the statement in the script (0-based)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category.value,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "suggestion": self.suggestion,
            "risk": self.risk.value if self.risk else None,
            "statement": self.statement,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            rule=d["rule"],
            category=Category(d["category"]),
            severity=Severity(d["severity"]),
            message=d["message"],
            line=d.get("line", 1),
            column=d.get("column", 1),
            suggestion=d.get("suggestion"),
            risk=RiskLevel(d["risk"]) if d.get("risk") else None,
            statement=d.get("statement", 0),
        )


@dataclass(slots=True)
class ImpactedObject:
    type: str
    """table, view, column, index or schema."""
    name: str
    access: Access
    reason: str | None = None
    """Why it is affected when it is not named in the script (a CASCADE dependent, a view)."""

    def key(self) -> tuple[str, str, str]:
        return (self.type, self.name, self.access.value)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "name": self.name, "access": self.access.value}
        if self.reason:
            d["reason"] = self.reason
        return d


@dataclass(slots=True)
class StatementInfo:
    index: int
    type: str
    line: int
    column: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "type": self.type,
            "line": self.line,
            "column": self.column,
            "text": self.text if len(self.text) <= 300 else self.text[:297] + "...",
        }


@dataclass(slots=True)
class Suppressed:
    """A finding an inline ``-- sqldraft: allow <rule> reason=...`` comment suppressed, with its reason."""

    rule: str
    statement: int
    """Index of the statement in the script (0-based)."""
    line: int
    column: int
    message: str
    reason: str
    comment_line: int
    """The line of the suppression comment."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "statement": self.statement,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "reason": self.reason,
            "comment_line": self.comment_line,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Suppressed:
        return cls(
            rule=d["rule"],
            statement=d.get("statement", 0),
            line=d.get("line", 1),
            column=d.get("column", 1),
            message=d.get("message", ""),
            reason=d.get("reason", ""),
            comment_line=d.get("comment_line", d.get("line", 1)),
        )


@dataclass(slots=True)
class Validation:
    status: Status
    findings: list[Finding]
    impacted_objects: list[ImpactedObject]
    statement_types: list[str]
    risk_level: RiskLevel
    dialect: str
    mode: ScriptMode
    statements: list[StatementInfo] = field(default_factory=list)
    snapshot_checksum: str | None = None
    server_checked: bool = False
    suppressed: list[Suppressed] = field(default_factory=list)
    """Findings removed by inline suppression comments (status and risk level are computed without them)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def by_category(self, category: Category) -> list[Finding]:
        return [f for f in self.findings if f.category is category]

    def compat(self) -> dict[str, Any]:
        """The seed contract's view: lint_status and the four message lists."""

        def messages(category: Category) -> list[str]:
            return [f"line {f.line}: {f.message}" for f in self.by_category(category)]

        return {
            "lint_status": self.status.value,
            "syntax_issues": messages(Category.SYNTAX),
            "schema_issues": messages(Category.SCHEMA),
            "performance_warnings": messages(Category.PERFORMANCE),
            "risks": messages(Category.RISK),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "findings": [f.to_dict() for f in self.findings],
            "impacted_objects": [o.to_dict() for o in self.impacted_objects],
            "statement_types": self.statement_types,
            "risk_level": self.risk_level.value,
            "dialect": self.dialect,
            "mode": self.mode.value,
            "statements": [s.to_dict() for s in self.statements],
            "snapshot_checksum": self.snapshot_checksum,
            "server_checked": self.server_checked,
            "suppressed": [s.to_dict() for s in self.suppressed],
            **self.compat(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Validation:
        return cls(
            status=Status(d["status"]),
            findings=[Finding.from_dict(f) for f in d.get("findings", [])],
            impacted_objects=[
                ImpactedObject(type=o["type"], name=o["name"], access=Access(o["access"]), reason=o.get("reason"))
                for o in d.get("impacted_objects", [])
            ],
            statement_types=list(d.get("statement_types", [])),
            risk_level=RiskLevel(d.get("risk_level", "none")),
            dialect=d.get("dialect", ""),
            mode=ScriptMode(d.get("mode", "query")),
            statements=[
                StatementInfo(index=s["index"], type=s["type"], line=s["line"], column=s["column"], text=s["text"])
                for s in d.get("statements", [])
            ],
            snapshot_checksum=d.get("snapshot_checksum"),
            server_checked=d.get("server_checked", False),
            suppressed=[Suppressed.from_dict(s) for s in d.get("suppressed", [])],
        )
