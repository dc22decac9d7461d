"""The migration corpus (bench/migration_corpus) through the validator without a snapshot, as CI runs it.

Every hazard file names the rule ids it must raise (``-- expect: rule.id ...``); every safe file says
``-- expect: none`` and must come out with no warning or error (info findings are allowed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.domain.schema import Dialect
from core.validation.engine import Validator
from core.validation.model import Severity
from core.validation.names import SchemaIndex
from core.validation.rules import RULES

CORPUS = Path(__file__).resolve().parents[3] / "bench" / "migration_corpus"
FILES = sorted(p for p in CORPUS.glob("*/*.sql") if not p.name.startswith("_"))


def expected(path: Path) -> list[str]:
    first = path.read_text().splitlines()[0]
    assert first.startswith("-- expect:"), f"{path.name}: the first line must be '-- expect: ...'"
    return first.split(":", 1)[1].split()


def test_the_corpus_is_big_enough():
    hazards = [p for p in FILES if expected(p) != ["none"]]
    safe = [p for p in FILES if expected(p) == ["none"]]
    assert len(hazards) >= 40 and len(safe) >= 15
    assert {p.parent.name for p in hazards} == {"postgresql", "mysql"}


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_a_migration_gets_exactly_the_verdict_written_down_without_a_snapshot(path: Path):
    rules = expected(path)
    result = Validator(SchemaIndex.without_snapshot(Dialect(path.parent.name))).validate(path.read_text(), "ddl")
    described = "; ".join(f"{f.rule}@{f.line} {f.message}" for f in result.findings) or "no findings"
    if rules == ["none"]:
        loud = [f for f in result.findings if f.severity is not Severity.INFO]
        assert loud == [], f"a safe migration got {described}"
    else:
        assert set(rules) <= set(RULES), f"unknown rule in {path.name}: {rules}"
        missing = set(rules) - {f.rule for f in result.findings}
        assert not missing, f"expected {sorted(missing)}; got {described}"
