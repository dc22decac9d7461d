"""The validator end to end: bad input, positions, impacted objects, the server-side check."""

import time

import pytest

from core.domain.schema import Dialect
from core.errors import Hint, HintRef, InvalidInput, NotFound, TooLarge
from core.validation.engine import Validator
from core.validation.names import SchemaIndex
from tests.support.servers import run_pg, run_sqlite


def test_empty_and_comment_only_text_are_refused(validator_for):
    validator = validator_for("sqlite")
    with pytest.raises(InvalidInput, match="empty"):
        validator.validate("   \n ")
    with pytest.raises(InvalidInput, match="only comments"):
        validator.validate("-- nothing here\n/* still nothing */")


def test_a_megabyte_of_sql_is_refused_quickly_as_too_large(validator_for):
    validator = validator_for("sqlite")
    sql = "SELECT id FROM orders WHERE id = 1;\n" * 30_000
    assert len(sql) > 1_000_000
    start = time.perf_counter()
    with pytest.raises(TooLarge, match="too large"):
        validator.validate(sql)
    assert time.perf_counter() - start < 1.0  # refused before parsing anything


def test_an_unknown_mode_or_dialect_is_a_clear_error(validator_for):
    with pytest.raises(InvalidInput, match="unknown mode 'write'"):
        validator_for("sqlite").validate("SELECT 1", "write")
    from core.validation.engine import parse_dialect

    with pytest.raises(InvalidInput, match="unknown dialect 'oracle'"):
        parse_dialect("oracle")


def test_findings_carry_the_line_and_column_in_the_script(validator_for):
    sql = "SELECT id\nFROM orders;\n\nSELECT email,\n       full_nme\nFROM customers"
    result = validator_for("postgresql").validate(sql, "query")
    unknown = next(f for f in result.findings if f.rule == "schema.unknown_column")
    assert (unknown.line, unknown.column, unknown.statement) == (5, 8, 1)
    assert [s.line for s in result.statements] == [1, 4]


def test_a_parse_error_reports_where(validator_for):
    result = validator_for("postgresql").validate("SELECT id\nFROM orders\nWHERE (id = 1")
    error = next(f for f in result.findings if f.rule == "syntax.parse_error")
    assert error.line == 3 and result.status.value == "fail"


def test_impacted_objects_name_tables_columns_and_access(validator_for):
    result = validator_for("sqlite").validate(
        "UPDATE orders SET status = 'paid' WHERE customer_id IN (SELECT id FROM customers WHERE country = 'FR')", "dml"
    )
    got = {(o.type, o.name, o.access.value) for o in result.impacted_objects}
    assert ("table", "orders", "write") in got
    assert ("table", "customers", "read") in got
    assert ("column", "orders.status", "write") in got
    assert ("column", "customers.country", "read") in got
    assert result.statement_types == ["update"]


def test_drop_cascade_lists_the_dependents(validator_for):
    result = validator_for("postgresql").validate("DROP TABLE customers CASCADE", "ddl")
    dependents = {o.name: o.reason for o in result.impacted_objects if o.reason}
    assert dependents == {"public.orders": "has a foreign key to public.customers"}
    cascade = next(f for f in result.findings if f.rule == "risk.cascade")
    assert "public.orders" in cascade.message
    assert result.risk_level.value == "critical"


def test_without_a_snapshot_only_syntax_and_risk_are_checked():
    validator = Validator(SchemaIndex.without_snapshot(Dialect.POSTGRESQL))
    assert validator.validate("SELECT whatever FROM anything").status.value == "pass"
    assert validator.validate("DROP TABLE anything", "query").risk_level.value == "critical"


def test_the_seed_compatible_fields_are_derived_from_findings(validator_for):
    data = validator_for("sqlite").validate("SELECT * FROM orders WHERE shipped_at = NULL; DELETE FROM x").to_dict()
    assert data["lint_status"] == "fail"
    assert any("SELECT *" in m for m in data["performance_warnings"])
    assert any("read-only query" in m for m in data["risks"])
    assert data["syntax_issues"] == [] and data["schema_issues"]


def test_copilot_validates_against_the_snapshot_in_use(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    copilot.add_connection("lite", f"sqlite:///{db}")
    with pytest.raises(NotFound, match="has no snapshot yet") as refused:
        copilot.validate("SELECT 1", connection="lite")
    assert refused.value.hints == (HintRef(Hint.REFRESH_SNAPSHOT, "lite"),)
    copilot.refresh_snapshot("lite")
    assert copilot.validate("SELECT nam FROM items", connection="lite").status.value == "fail"
    _, first = copilot.validator("lite")
    _, again = copilot.validator("lite")
    assert first is again  # built once per snapshot
    with pytest.raises(InvalidInput, match="is sqlite, not postgresql") as mismatch:
        copilot.validate("SELECT 1", connection="lite", dialect="postgresql")
    assert mismatch.value.hints == (HintRef(Hint.OMIT_DIALECT),)
    with pytest.raises(InvalidInput, match="no connection and no dialect") as neither:
        copilot.validate("SELECT 1")
    assert neither.value.hints == (HintRef(Hint.GIVE_DIALECT),)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_the_server_check_confirms_names_and_never_executes(dialect, copilot, tmp_path, request):
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 't.db'}"
        run_sqlite(
            str(tmp_path / "t.db"),
            "CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER);INSERT INTO items VALUES (1, 5);",
        )
    elif dialect == "postgresql":
        url = request.getfixturevalue("pg_url")
        run_pg(url, "CREATE TABLE items (id int PRIMARY KEY, qty int)", "INSERT INTO items VALUES (1, 5)")
    else:
        from tests.support.servers import run_mariadb

        url = request.getfixturevalue("mariadb_url")
        run_mariadb(url, "CREATE TABLE items (id int PRIMARY KEY, qty int)", "INSERT INTO items VALUES (1, 5)")
    copilot.add_connection("db", url)
    copilot.refresh_snapshot("db")
    fine = copilot.validate("SELECT id, qty FROM items WHERE id = 1", connection="db", server_check=True)
    assert fine.server_checked and fine.status.value == "pass", fine.findings
    bad = copilot.validate("SELECT no_such_function(qty) FROM items", connection="db", server_check=True)
    assert any(f.rule == "syntax.server_rejected" for f in bad.findings)
    deleting = copilot.validate("DELETE FROM items WHERE id = 1", connection="db", mode="dml", server_check=True)
    assert deleting.server_checked and not any(f.rule == "syntax.server_rejected" for f in deleting.findings)
    # prepared, never executed: the row is still there
    check = copilot.validate("SELECT id FROM items", connection="db", server_check=True)
    assert check.status.value == "pass"
    from core.introspection.targets import connect

    target = copilot._target("db").config
    with connect(target) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM items").scalar() == 1


def test_a_connections_safe_functions_reach_its_validator_and_dangerous_ones_stay_refused(copilot, tmp_path):
    run_sqlite(str(tmp_path / "f.db"), "CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER);")
    copilot.add_connection("lite2", f"sqlite:///{tmp_path / 'f.db'}")
    copilot.refresh_snapshot("lite2")
    unknown = copilot.validate("SELECT my_fn(qty) FROM items", connection="lite2")
    assert any(f.rule == "risk.unknown_function" for f in unknown.findings), unknown.findings
    copilot.set_connection_options("lite2", safe_functions=["My_Fn", "load_extension"])
    allowed = copilot.validate("SELECT my_fn(qty) FROM items", connection="lite2")
    assert not any(f.rule == "risk.unknown_function" for f in allowed.findings), allowed.findings
    assert allowed.risk_level.value == "none"
    still = copilot.validate("SELECT load_extension('x') FROM items", connection="lite2")
    assert still.risk_level.value == "critical", still.findings
