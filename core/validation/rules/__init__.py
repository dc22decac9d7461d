"""The rule registry: every finding sqldraft can report, one module per rule.

Each module under ``core/validation/rules/<category>/`` defines ``RULE``: its id, category, severity,
dialects, description, example and the check that finds it. ``check(ctx)`` judges one statement
(see :class:`core.validation.context.StatementContext`); ``check_script(ctxs)`` judges a whole script.
Checks read what the stages before them established (the lexemes and parse, the working schema's
changes, the resolved scopes) and report through ``ctx.report``; they never change the context.
docs/rules.md is generated from this registry (``python -m core.docgen``).

Adding a rule: a new module in the right category folder with ``RULE = Rule(...)``, a fixture file
``tests/fixtures/validation/<category>/<name>.sql`` with cases that trigger it (and that must not),
then ``python -m core.docgen``.

>>> RULES["risk.writable_cte"].category.value
'risk'
>>> sorted({r.category.value for r in RULES.values()})
['performance', 'risk', 'schema', 'syntax']
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.validation.model import Category, RiskLevel, Severity

if TYPE_CHECKING:
    from core.validation.context import StatementContext
    from core.validation.plan import PlanContext

ALL = ("postgresql", "mysql", "sqlite")
PG = ("postgresql",)
MY = ("mysql",)

StatementCheck = Callable[["StatementContext"], None]
ScriptCheck = Callable[[list["StatementContext"]], None]
PlanCheck = Callable[["PlanContext"], None]

CATEGORIES = {
    "syntax": Category.SYNTAX,
    "schema": Category.SCHEMA,
    "performance": Category.PERFORMANCE,
    "risk": Category.RISK,
}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    description: str
    example: str
    dialects: tuple[str, ...] = ALL
    risk: RiskLevel | None = None
    """The risk a finding of this rule carries (a finding may raise or lower it)."""
    check: StatementCheck | None = None
    check_script: ScriptCheck | None = None
    check_plan: PlanCheck | None = None
    """For a rule over the database's plan of a statement (plain EXPLAIN; see core.validation.plan)."""
    reported_by: str | None = None
    """For the rule reported outside the validator itself (the server check), who reports it."""

    def applies_to(self, dialect: str) -> bool:
        return dialect in self.dialects


def _load() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for folder in CATEGORIES:
        package = importlib.import_module(f"{__name__}.{folder}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            rule = getattr(module, "RULE", None)
            if not isinstance(rule, Rule):
                raise TypeError(f"{module.__name__} defines no RULE")
            expected = f"{folder if folder != 'performance' else 'perf'}.{info.name}"
            if rule.id != expected or rule.category is not CATEGORIES[folder]:
                raise ValueError(f"{module.__name__}: the rule id {rule.id!r} does not match its module")
            rules[rule.id] = rule
    return rules


RULES: dict[str, Rule] = _load()


def statement_rules(dialect: str) -> list[Rule]:
    """Rules with a per-statement check that apply to the dialect, in registry order."""
    return [r for r in RULES.values() if r.check is not None and r.applies_to(dialect)]


def script_rules(dialect: str) -> list[Rule]:
    """Rules with a whole-script check that apply to the dialect."""
    return [r for r in RULES.values() if r.check_script is not None and r.applies_to(dialect)]


def plan_rules(dialect: str) -> list[Rule]:
    """Rules with a check over a statement's plan that apply to the dialect."""
    return [r for r in RULES.values() if r.check_plan is not None and r.applies_to(dialect)]


def rules_markdown() -> str:
    """The rule table of docs/rules.md."""
    lines = []
    for folder, category in CATEGORIES.items():
        lines += [
            f"### {category.value}",
            "",
            "| id | severity | risk | dialects | what it finds | example | module |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in RULES.values():
            if r.category is not category:
                continue
            dialects = "all" if r.dialects == ALL else ", ".join(r.dialects)
            example = r.example.replace("|", "\\|")
            module = f"core/validation/rules/{folder}/{r.id.split('.', 1)[1]}.py"
            lines.append(
                f"| `{r.id}` | {r.severity.value} | {r.risk.value if r.risk else '-'} | {dialects} "
                f"| {r.description} | `{example}` | `{module}` |"
            )
        lines.append("")
    return "\n".join(lines)
