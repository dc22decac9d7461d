"""DDL hazards judged from the statement alone (no snapshot), and what a snapshot adds."""

from __future__ import annotations

import pytest

from core.domain.schema import Dialect
from core.validation.engine import Validator
from core.validation.names import SchemaIndex


def _rules(sql: str, dialect: Dialect = Dialect.POSTGRESQL) -> set[str]:
    result = Validator(SchemaIndex.without_snapshot(dialect)).validate(sql, "ddl")
    return {f.rule for f in result.findings}


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("CREATE INDEX idx_c ON customer (email)", "risk.pg_index_not_concurrent"),
        ("ALTER TABLE customer ADD COLUMN tier text NOT NULL", "risk.add_column_not_null"),
        ("ALTER TABLE customer ADD COLUMN t timestamptz DEFAULT clock_timestamp()", "risk.pg_volatile_default"),
        ("ALTER TABLE o ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES customer (id)", "risk.pg_constraint_validation"),
        ("ALTER TABLE customer ADD CONSTRAINT ck CHECK (age > 0)", "risk.pg_constraint_validation"),
        ("ALTER TABLE customer ADD CONSTRAINT uq UNIQUE (email)", "risk.pg_unique_without_index"),
        ("ALTER TABLE customer ALTER COLUMN id TYPE bigint", "risk.pg_column_type_change"),
        ("ALTER TABLE customer RENAME COLUMN a TO b", "risk.rename"),
        ("ALTER TABLE customer ALTER COLUMN email SET NOT NULL", "risk.set_not_null"),
        ("DROP TABLE customer CASCADE", "risk.cascade"),
        ("ALTER TABLE customer ADD COLUMN note text", "risk.pg_missing_lock_timeout"),
        ("ALTER TABLE customer ADD COLUMN note text", "risk.pg_missing_statement_timeout"),
    ],
)
def test_the_issues_hazards_fire_without_a_snapshot(sql, rule):
    assert rule in _rules(sql)


def test_a_table_created_earlier_in_the_script_is_new():
    rules = _rules(
        "CREATE TABLE tier (id bigint PRIMARY KEY, name text);\n"
        "CREATE INDEX ix_tier_name ON tier (name);\n"
        "ALTER TABLE tier ADD COLUMN code text NOT NULL;\n"
        "ALTER TABLE tier ALTER COLUMN name SET NOT NULL;"
    )
    assert rules.isdisjoint(
        {
            "risk.pg_index_not_concurrent",
            "risk.add_column_not_null",
            "risk.set_not_null",
            "risk.pg_missing_lock_timeout",
        }
    )


def test_a_presumed_table_has_no_column_errors():
    rules = _rules("CREATE INDEX CONCURRENTLY ix ON customer (whatever); ALTER TABLE customer DROP COLUMN anything")
    assert not {r for r in rules if r.startswith("schema.")}


def test_a_table_dropped_in_the_script_is_not_presumed_again():
    assert "risk.drop_column" not in _rules("DROP TABLE legacy; ALTER TABLE IF EXISTS legacy DROP COLUMN a")


def test_mysql_alters_need_algorithm_and_lock_without_a_snapshot():
    assert "risk.mysql_online_ddl" in _rules("ALTER TABLE customer ADD COLUMN tier int", Dialect.MYSQL)
    assert "risk.mysql_table_copy" in _rules(
        "ALTER TABLE customer MODIFY email varchar(400), ALGORITHM=INPLACE, LOCK=NONE", Dialect.MYSQL
    )


def test_with_a_snapshot_the_finding_says_how_big_the_table_is(validator_for):
    result = validator_for("postgresql").validate("CREATE INDEX ix_events_kind ON events (kind)", "ddl")
    message = next(f.message for f in result.findings if f.rule == "risk.pg_index_not_concurrent")
    assert "about 300 rows" in message


def test_with_a_snapshot_a_table_it_does_not_know_is_not_presumed(validator_for):
    result = validator_for("postgresql").validate("ALTER TABLE nosuch ADD COLUMN x text NOT NULL", "ddl")
    rules = {f.rule for f in result.findings}
    assert "schema.ddl_missing_object" in rules and "risk.add_column_not_null" not in rules
