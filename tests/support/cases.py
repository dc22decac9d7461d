"""Read the validation fixture files (tests/fixtures/validation/*.sql)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "validation"
DIALECTS = ("postgresql", "mysql", "sqlite")


@dataclass
class Case:
    file: str
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


def load_cases(pattern: str = "*.sql") -> list[Case]:
    cases = []
    for path in sorted(FIXTURES.glob(pattern)):
        current: Case | None = None
        body: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("-- case:"):
                _close(cases, current, body)
                current, body = Case(file=path.stem, name=line[8:].strip(), sql=""), []
            elif current is not None and line.startswith("-- ") and ":" in line and not body:
                key, _, value = line[3:].partition(":")
                value = value.strip()
                if key == "dialects":
                    current.dialects = DIALECTS if value == "all" else tuple(value.split())
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
            elif current is not None:
                body.append(line)
        _close(cases, current, body)
    return cases


def _close(cases: list[Case], current: Case | None, body: list[str]) -> None:
    if current is not None:
        current.sql = "\n".join(body).strip()
        cases.append(current)
