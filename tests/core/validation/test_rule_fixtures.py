"""Every case of tests/fixtures/validation/*.sql, in each dialect it names, on real snapshots."""

import pytest

from core.domain.schema import Dialect
from core.validation.rules import RULES
from core.validation.engine import Validator
from core.validation.model import RiskLevel
from core.validation.names import SchemaIndex
from tests.support.cases import load_cases

CASES = [(case, dialect) for case in load_cases() for dialect in case.dialects]


def _risk_ok(spec: str, actual: RiskLevel) -> bool:
    if spec.startswith(">="):
        return actual.rank >= RiskLevel(spec[2:]).rank
    if spec.startswith("<="):
        return actual.rank <= RiskLevel(spec[2:]).rank
    return actual is RiskLevel(spec)


@pytest.mark.parametrize(("case", "dialect"), CASES, ids=[f"{c.file}:{c.name}[{d}]" for c, d in CASES])
def test_fixture_case(case, dialect, validator_for):
    validator = validator_for(dialect) if case.snapshot else Validator(SchemaIndex.without_snapshot(Dialect(dialect)))
    result = validator.validate(case.sql, case.mode)
    rules = {f.rule for f in result.findings}
    described = "; ".join(f"{f.rule}@{f.line}:{f.column} {f.message}" for f in result.findings) or "no findings"
    for rule in case.expect:
        assert rule in rules, f"expected {rule}; got {described}"
    for rule in case.reject:
        assert rule not in rules, f"did not expect {rule}; got {described}"
    if case.risk:
        assert _risk_ok(case.risk, result.risk_level), (
            f"risk {result.risk_level.value}, wanted {case.risk}; {described}"
        )
    if case.status:
        assert result.status.value == case.status, f"status {result.status.value}; {described}"


def test_every_rule_has_a_case_that_triggers_it():
    expected = {rule for case in load_cases() for rule in case.expect}
    untested = sorted(set(RULES) - expected - {"syntax.server_rejected"})
    assert untested == [], f"rules without a fixture case: {untested}"


def test_the_hostile_suite_is_big_enough():
    cases = load_cases("hostile.sql")
    assert sum(c.name.startswith("hostile:") for c in cases) >= 40
    assert sum(c.name.startswith("plain:") for c in cases) >= 10
