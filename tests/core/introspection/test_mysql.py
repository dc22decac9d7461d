import pytest

from core.domain.schema import Dialect, TableKind
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from tests.support.servers import mariadb_admin, run_mariadb

ODD_SCHEMA = [
    "CREATE TABLE `Order` (`Id` int, `Line` int, state enum('new','paid','it''s') NOT NULL DEFAULT 'new', "
    "note varchar(20) DEFAULT NULL, total int AS (`Id` * 2) VIRTUAL, PRIMARY KEY (`Id`, `Line`)) "
    "COMMENT='Bestellungen ✓'",
    "CREATE TABLE `select` (`from` text COMMENT 'réservé', id int AUTO_INCREMENT PRIMARY KEY)",
    "CREATE TABLE notes (order_id int, line int, body text, "
    "CONSTRAINT fk_notes_order FOREIGN KEY (order_id, line) REFERENCES `Order` (`Id`, `Line`) ON DELETE CASCADE)",
    "CREATE TABLE employees (id int PRIMARY KEY, manager_id int, UNIQUE KEY uq_manager (manager_id), "
    "FOREIGN KEY (manager_id) REFERENCES employees (id))",
    "CREATE VIEW paid AS SELECT `Id`, state FROM `Order` WHERE state = 'paid'",
]


def _snapshot(url, **kw):
    target = TargetConfig(
        name="t", dialect=Dialect.MYSQL, url=url.replace("mysql://", "mysql+pymysql://"), password=None
    )
    with connect(target) as conn:
        return introspect(conn, Dialect.MYSQL, **kw)


@pytest.fixture
def odd_mariadb(mariadb_url):
    run_mariadb(mariadb_url, *ODD_SCHEMA)
    return mariadb_url


def test_mariadb_reads_tables_columns_keys_and_views(odd_mariadb):
    model = _snapshot(odd_mariadb)
    db = odd_mariadb.rsplit("/", 1)[1]
    tables = model.table_map()
    assert model.properties["mariadb"] is True
    assert "lower_case_table_names" in model.properties
    order = tables[f"{db}.Order"]
    assert order.comment == "Bestellungen ✓"
    assert order.primary_key == ["Id", "Line"]
    assert order.column("state").enum_labels == ["new", "paid", "it's"]
    assert order.column("state").default in ("'new'", "new")
    assert order.column("note").default is None
    assert order.column("total").generated == "`Id` * 2"
    reserved = tables[f"{db}.select"]
    assert reserved.column("from").comment == "réservé"
    assert reserved.column("id").identity == "auto_increment"
    notes = tables[f"{db}.notes"]
    assert notes.primary_key == []
    fk = notes.foreign_keys[0]
    assert (fk.name, fk.columns, fk.ref_columns, fk.on_delete) == (
        "fk_notes_order",
        ["order_id", "line"],
        ["Id", "Line"],
        "CASCADE",
    )
    employees = tables[f"{db}.employees"]
    assert employees.foreign_keys[0].ref_key == f"{db}.employees"
    assert ["manager_id"] in [u.columns for u in employees.unique_constraints]
    assert tables[f"{db}.paid"].kind is TableKind.VIEW
    assert tables[f"{db}.paid"].depends_on == [f"{db}.Order"]


def test_mariadb_reads_several_schemas_when_asked(odd_mariadb, mariadb_url):
    db = odd_mariadb.rsplit("/", 1)[1]
    other = db + "_b"
    admin = mariadb_admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{other}`")
            cur.execute(f"CREATE TABLE `{other}`.audit (id int PRIMARY KEY)")
        model = _snapshot(odd_mariadb, include_schemas=[f"{db}*"])
        assert {t.schema for t in model.tables} == {db, other}
        assert f"{other}.audit" in model.table_map()
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{other}`")
        admin.close()
