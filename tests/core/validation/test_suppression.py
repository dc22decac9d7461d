"""Inline suppression comments: what they remove, what they report, and what they refuse."""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.engine import Validator
from core.validation.model import Validation
from core.validation.names import SchemaIndex


def _validate(sql: str, dialect: Dialect = Dialect.POSTGRESQL, mode: str = "ddl") -> Validation:
    return Validator(SchemaIndex.without_snapshot(dialect)).validate(sql, mode)


def test_a_reasoned_suppression_moves_the_finding_to_suppressed_for_the_next_statement_only():
    result = _validate(
        "SET lock_timeout = '1s';\n"
        "-- sqldraft: allow risk.drop_column reason=unused since v2\n"
        "ALTER TABLE customer DROP COLUMN fax;\n"
        "ALTER TABLE customer DROP COLUMN pager;\n"
    )
    kept = [f for f in result.findings if f.rule == "risk.drop_column"]
    assert [f.line for f in kept] == [4]
    assert [(s.rule, s.statement, s.line, s.reason, s.comment_line) for s in result.suppressed] == [
        ("risk.drop_column", 1, 3, "unused since v2", 2)
    ]


def test_status_and_risk_are_computed_without_the_suppressed_findings():
    plain = _validate("SET lock_timeout = '1s'; SET statement_timeout = '1min';\nDROP TABLE legacy CASCADE;")
    allowed = _validate(
        "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n"
        '/* sqldraft: allow risk.drop, risk.cascade reason="retired in 2026" */ DROP TABLE legacy CASCADE;'
    )
    assert plain.risk_level.value == "critical" and plain.status.value == "warn"
    assert {s.rule for s in allowed.suppressed} == {"risk.drop", "risk.cascade"}
    assert allowed.status.value == "pass"
    assert allowed.risk_level.rank < plain.risk_level.rank


def test_an_unknown_rule_id_is_a_warning_that_names_it_and_close_ids():
    result = _validate("-- sqldraft: allow risk.drop_colum reason=x\nALTER TABLE customer DROP COLUMN fax;")
    bad = [f for f in result.findings if f.rule == "syntax.bad_suppression"]
    assert len(bad) == 1 and "'risk.drop_colum'" in bad[0].message and "risk.drop_column" in bad[0].message
    assert bad[0].line == 1
    assert "risk.drop_column" in {f.rule for f in result.findings}
    assert result.suppressed == []


def test_a_suppression_without_a_reason_suppresses_nothing_and_says_what_to_add():
    result = _validate("-- sqldraft: allow risk.truncate\nTRUNCATE staging;")
    bad = [f for f in result.findings if f.rule == "syntax.bad_suppression"]
    assert bad and "reason=" in bad[0].message
    assert "risk.truncate" in {f.rule for f in result.findings}


def test_a_query_cannot_suppress_its_read_only_guard():
    result = _validate("-- sqldraft: allow risk.write_in_query reason=trust me\nDELETE FROM customer", mode="query")
    assert "risk.write_in_query" in {f.rule for f in result.findings}
    assert result.status.value == "fail" and result.suppressed == []


def test_a_directive_inside_a_string_or_dollar_quote_is_not_a_comment():
    result = _validate("SELECT $$ -- sqldraft: allow risk.truncate reason=x $$;\nTRUNCATE staging;")
    assert "risk.truncate" in {f.rule for f in result.findings}
    assert result.suppressed == [] and "syntax.bad_suppression" not in {f.rule for f in result.findings}


def test_mysql_hash_comments_suppress_too():
    result = _validate("# sqldraft: allow risk.truncate reason=staging\nTRUNCATE TABLE staging;", Dialect.MYSQL)
    assert [s.rule for s in result.suppressed] == ["risk.truncate"]


def test_suppressed_survives_the_json_round_trip():
    result = _validate("-- sqldraft: allow risk.truncate reason=staging\nTRUNCATE staging;")
    data = result.to_dict()
    assert data["suppressed"][0]["rule"] == "risk.truncate" and data["suppressed"][0]["reason"] == "staging"
    assert Validation.from_dict(data).suppressed == result.suppressed
    assert Validation.from_dict({k: v for k, v in data.items() if k != "suppressed"}).suppressed == []
