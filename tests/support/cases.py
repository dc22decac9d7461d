"""Read the validation fixture files (tests/fixtures/validation/**/*.sql).

The rule fixtures are one file per rule, ``<folder>/<name>.sql`` (the folder is the rule module's
category folder: syntax, schema, performance, risk); the corpora (hostile.sql, hostile_v2.sql,
benign_v2.sql) sit at the top level. See tests/fixtures/validation/README.md for the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "validation"
DIALECTS = ("postgresql", "mysql", "sqlite")

RULE_FOLDERS = {"syntax": "syntax", "schema": "schema", "perf": "performance", "risk": "risk"}
"""Rule id prefix -> the folder of its module (core/validation/rules/<folder>/) and of its fixture file."""

_KEYS = ("dialects", "mode", "expect", "reject", "risk", "status", "snapshot", "xfail")


@dataclass
class Case:
    file: str
    """The fixture file, relative to FIXTURES and without .sql: "risk/writable_cte", "hostile"."""
    name: str
    sql: str
    dialects: tuple[str, ...] = DIALECTS
    mode: str = "query"
    expect: list[str] = field(default_factory=list)
    reject: list[str] = field(default_factory=list)
    risk: str | None = None
    status: str | None = None
    snapshot: bool = True
    """False: validate without a snapshot (``-- snapshot: none``), as ``--dialect`` does."""
    xfail: str | None = None
    """A known validator bug (``-- xfail: reason``): the runner expects the case to fail, strictly."""


def rule_file(rule_id: str) -> Path:
    """The per-rule fixture file of a rule: risk.writable_cte -> FIXTURES/risk/writable_cte.sql."""
    prefix, name = rule_id.split(".", 1)
    return FIXTURES / RULE_FOLDERS[prefix] / f"{name}.sql"


def rule_of_file(path: Path) -> str | None:
    """The rule id a per-rule fixture file is for (None for a file outside the rule folders)."""
    rel = path.relative_to(FIXTURES)
    prefixes = {folder: prefix for prefix, folder in RULE_FOLDERS.items()}
    if len(rel.parts) != 2 or rel.parts[0] not in prefixes:
        return None
    return f"{prefixes[rel.parts[0]]}.{rel.stem}"


def load_cases(pattern: str = "**/*.sql") -> list[Case]:
    """The cases of every fixture file matching ``pattern`` (relative to FIXTURES), in path order."""
    cases: list[Case] = []
    for path in sorted(FIXTURES.glob(pattern)):
        cases += _read(path)
    return cases


def _read(path: Path) -> list[Case]:
    cases: list[Case] = []
    file = path.relative_to(FIXTURES).with_suffix("").as_posix()
    current: Case | None = None
    body: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("-- case:"):
            _close(cases, current, body)
            current, body = Case(file=file, name=line[8:].strip(), sql=""), []
        elif current is not None and line.startswith("-- ") and ":" in line and not body:
            key, _, value = line[3:].partition(":")
            value = value.strip()
            if key not in _KEYS:
                raise ValueError(f"{path}:{number}: unknown case header {key!r} (one of {', '.join(_KEYS)})")
            if key == "dialects":
                current.dialects = DIALECTS if value == "all" else tuple(value.split())
                unknown = set(current.dialects) - set(DIALECTS)
                if unknown:
                    raise ValueError(f"{path}:{number}: unknown dialects {sorted(unknown)}")
            elif key == "mode":
                current.mode = value
            elif key == "expect":
                current.expect = value.split()
            elif key == "reject":
                current.reject = value.split()
            elif key == "risk":
                current.risk = value
            elif key == "status":
                current.status = value
            elif key == "snapshot":
                current.snapshot = value != "none"
            elif key == "xfail":
                current.xfail = value or "known validator bug"
        elif current is not None:
            body.append(line)
    _close(cases, current, body)
    return cases


def _close(cases: list[Case], current: Case | None, body: list[str]) -> None:
    if current is not None:
        current.sql = "\n".join(body).strip()
        cases.append(current)
