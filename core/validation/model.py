"""The validation result: one shape everywhere (CLI, Slack, MCP, drafts)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum, StrEnum
from functools import cache
from typing import Any, ClassVar, Self, cast, get_args, get_origin, get_type_hints


class Plain:
    """A result dataclass whose dict form is its fields: enums as their values, nested results as dicts.

    ``from_dict`` reads the same form back (missing keys take the field's default). A class may name
    fields left out when None (``OMIT_NONE``) and text fields cut in the dict form (``MAX_CHARS``).
    Stdlib dataclasses, not pydantic models, because the validator must import fast (``validate --dialect``).
    """

    __slots__ = ()
    OMIT_NONE: ClassVar[tuple[str, ...]] = ()
    MAX_CHARS: ClassVar[dict[str, int]] = {}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None and f.name in self.OMIT_NONE:
                continue
            limit = self.MAX_CHARS.get(f.name)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                value = value[: limit - 3] + "..."
            out[f.name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Self:
        hints = _hints(cast(type, cls))
        kwargs = {f.name: _typed(hints[f.name], d[f.name]) for f in fields(cls) if f.name in d}  # type: ignore[arg-type]
        return cls(**kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, Plain):
        return value.to_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _typed(hint: Any, value: Any) -> Any:
    """``value`` from its dict form as the type ``hint`` says (enums, lists of results, optionals)."""
    if value is None:
        return None
    args = [a for a in get_args(hint) if a is not type(None)]
    if get_origin(hint) is list:
        return [_typed(args[0], v) for v in value]
    if args and get_origin(hint) is not dict:  # X | None
        return _typed(args[0], value)
    if isinstance(hint, type) and issubclass(hint, Plain):
        return hint.from_dict(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    return value


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
class Finding(Plain):
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


@dataclass(slots=True)
class ImpactedObject(Plain):
    OMIT_NONE: ClassVar[tuple[str, ...]] = ("reason",)

    type: str
    """table, view, column, index or schema."""
    name: str
    access: Access
    reason: str | None = None
    """Why it is affected when it is not named in the script (a CASCADE dependent, a view)."""

    def key(self) -> tuple[str, str, str]:
        return (self.type, self.name, self.access.value)


@dataclass(slots=True)
class StatementInfo(Plain):
    MAX_CHARS: ClassVar[dict[str, int]] = {"text": 300}

    index: int
    type: str
    line: int
    column: int
    text: str


@dataclass(slots=True)
class Suppressed(Plain):
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


@dataclass(slots=True)
class PlanEstimate(Plain):
    """What the database's plan (plain EXPLAIN, nothing run) estimates for one statement."""

    statement: int
    """Index of the statement in the script (0-based)."""
    rows: int
    cost: float | None = None
    """The planner's total cost, in the server's own units; None when it gives none (MariaDB)."""


@dataclass(slots=True)
class Validation(Plain):
    OMIT_NONE: ClassVar[tuple[str, ...]] = ("plans",)

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
    plans: list[PlanEstimate] | None = None
    """The server's plan estimates of the statements it explained (``explain_costs``); None: none explained."""

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
        return {**Plain.to_dict(self), **self.compat()}
