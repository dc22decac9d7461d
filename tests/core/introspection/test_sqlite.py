from core.domain.schema import Dialect, TableKind
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from tests.support.servers import run_sqlite
from tests.support.wide import wide_ddl

ODD = """
CREATE TABLE "Customer" ( -- people who buy ✓
  "Id" INTEGER PRIMARY KEY, -- the number
  "E-Mail" TEXT NOT NULL UNIQUE, -- adresse électronique
  "order" TEXT DEFAULT 'none'
);
CREATE TABLE lines (order_id INTEGER, line INTEGER, qty INTEGER CHECK (qty > 0), PRIMARY KEY (order_id, line));
CREATE TABLE line_notes (order_id INTEGER, line INTEGER, body TEXT,
  FOREIGN KEY (order_id, line) REFERENCES lines (order_id, line) ON DELETE CASCADE);
CREATE TABLE staff (id INTEGER PRIMARY KEY, boss INTEGER REFERENCES staff);
CREATE TABLE nopk (a, b);
CREATE INDEX ix_staff_boss ON staff (boss);
CREATE VIEW big_lines AS SELECT * FROM lines WHERE qty > 10;
"""


def _snapshot(path):
    target = TargetConfig(name="t", dialect=Dialect.SQLITE, url=f"sqlite:///{path}", password=None)
    with connect(target) as conn:
        return introspect(conn, Dialect.SQLITE)


def test_sqlite_reads_comments_keys_and_views(tmp_path):
    path = str(tmp_path / "odd.db")
    run_sqlite(path, ODD)
    tables = _snapshot(path).table_map()
    customer = tables["Customer"]
    assert customer.comment == "people who buy ✓"
    assert customer.column("Id").comment == "the number"
    assert customer.column("Id").identity == "rowid"
    assert customer.column("E-Mail").comment == "adresse électronique"
    assert customer.column("E-Mail").nullable is False
    assert customer.column("order").default == "'none'"
    assert ["E-Mail"] in [u.columns for u in customer.unique_constraints]
    assert tables["lines"].primary_key == ["order_id", "line"]
    fk = tables["line_notes"].foreign_keys[0]
    assert (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) == (
        ["order_id", "line"],
        "lines",
        ["order_id", "line"],
        "CASCADE",
    )
    assert tables["staff"].foreign_keys[0].ref_columns == ["id"]
    assert tables["nopk"].primary_key == [] and tables["nopk"].column("a").type == ""
    assert any(ix.name == "ix_staff_boss" for ix in tables["staff"].indexes)
    assert tables["big_lines"].kind is TableKind.VIEW and tables["big_lines"].depends_on == ["lines"]
    assert tables["lines"].row_estimate == 0


def test_sqlite_two_thousand_tables(tmp_path):
    path = str(tmp_path / "wide.db")
    run_sqlite(path, ";\n".join(wide_ddl(2000, "sqlite")) + ";")
    model = _snapshot(path)
    assert len(model.tables) == 2000
    assert model.table_map()["t00010"].foreign_keys[0].ref_table == f"t{(10 * 7) % 10:05d}"
