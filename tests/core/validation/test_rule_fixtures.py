"""Every case of tests/fixtures/validation/**/*.sql, in each dialect it names, on real snapshots.

The rule fixtures are one file per rule (``<folder>/<name>.sql``, the folder of the rule's module);
the corpora (hostile.sql, hostile_v2.sql, benign_v2.sql) sit at the top level. A case marked
``-- xfail: <reason>`` is a known validator bug: it must fail (strictly), until the rule is fixed.
"""

import pytest

from core.domain.schema import Dialect
from core.validation.engine import Validator
from core.validation.model import RiskLevel
from core.validation.names import SchemaIndex
from core.validation.rules import RULES
from tests.support.cases import FIXTURES, RULE_FOLDERS, load_cases, rule_file, rule_of_file

SERVER_ONLY = {"syntax.server_rejected"} | {r.id for r in RULES.values() if r.check_plan is not None}
"""Rules only the server check reports: no fixture file (the runner never asks a server). The plan rules
(``perf.plan_*``) are tested on recorded and real plans in test_plan_rules.py and test_explain_costs.py."""

CASES = [(case, dialect) for case in load_cases() for dialect in case.dialects]


def _param(case, dialect):
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    return pytest.param(case, dialect, marks=marks, id=f"{case.file}:{case.name}[{dialect}]")


def _risk_ok(spec: str, actual: RiskLevel) -> bool:
    if spec.startswith(">="):
        return actual.rank >= RiskLevel(spec[2:]).rank
    if spec.startswith("<="):
        return actual.rank <= RiskLevel(spec[2:]).rank
    return actual is RiskLevel(spec)


@pytest.mark.parametrize(("case", "dialect"), [_param(c, d) for c, d in CASES])
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
    expected = {rule for case in load_cases() for rule in case.expect if not case.xfail}
    untested = sorted(set(RULES) - expected - SERVER_ONLY)
    assert untested == [], f"rules without a fixture case: {untested}"


def test_every_rule_has_its_own_fixture_file_with_a_trigger_and_a_near_miss():
    problems = []
    for rule in sorted(set(RULES) - SERVER_ONLY):
        path = rule_file(rule)
        if not path.is_file():
            problems.append(f"{rule}: no fixture file {path.relative_to(FIXTURES)}")
            continue
        cases = [c for c in load_cases(path.relative_to(FIXTURES).as_posix()) if not c.xfail]
        if not any(rule in c.expect for c in cases):
            problems.append(f"{rule}: {path.relative_to(FIXTURES)} has no case that expects it")
        if not any(rule in c.reject for c in cases):
            problems.append(f"{rule}: {path.relative_to(FIXTURES)} has no near miss that rejects it")
    assert problems == [], "\n".join(problems)


def test_no_fixture_file_for_an_unknown_rule():
    files = sorted(p for folder in RULE_FOLDERS.values() for p in (FIXTURES / folder).rglob("*"))
    stray = [
        p.relative_to(FIXTURES).as_posix()
        for p in files
        if p.is_file() and (p.suffix != ".sql" or rule_of_file(p) not in set(RULES) - SERVER_ONLY)
    ]
    assert stray == [], f"fixture files for no rule (or not <folder>/<name>.sql): {stray}"


def test_fixture_cases_name_known_rules_and_unique_names():
    problems = []
    seen = set()
    for case in load_cases():
        for rule in case.expect + case.reject:
            if rule not in RULES:
                problems.append(f"{case.file}:{case.name}: unknown rule {rule}")
        if (case.file, case.name) in seen:
            problems.append(f"{case.file}:{case.name}: two cases with this name")
        seen.add((case.file, case.name))
        if not case.sql:
            problems.append(f"{case.file}:{case.name}: no SQL")
    assert problems == [], "\n".join(problems)


def test_the_hostile_suite_is_big_enough():
    cases = load_cases("hostile.sql")
    assert sum(c.name.startswith("hostile:") for c in cases) >= 40
    assert sum(c.name.startswith("plain:") for c in cases) >= 10
