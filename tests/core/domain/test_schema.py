from core.domain.diff import diff_schemas
from core.domain.schema import Column, Dialect, ForeignKey, Index, SchemaModel, Table


def _model(row_estimate: int | None = 10, extra_column: bool = False) -> SchemaModel:
    cols = [Column("id", "integer", nullable=False), Column("name", "text")]
    if extra_column:
        cols.append(Column("email", "text"))
    parent = Table(
        schema="app",
        name="parent",
        columns=cols,
        primary_key=["id"],
        row_estimate=row_estimate,
        indexes=[Index("parent_pkey", ["id"], unique=True, primary=True)],
    )
    child = Table(
        schema="app",
        name="child",
        columns=[Column("id", "integer"), Column("parent_id", "integer")],
        foreign_keys=[ForeignKey(["parent_id"], "parent", ["id"], ref_schema="app", name="fk_parent")],
    )
    return SchemaModel(dialect=Dialect.POSTGRESQL, tables=[child, parent], server_version="15")


def test_checksum_ignores_row_estimates_and_table_order():
    a = _model(row_estimate=10)
    b = _model(row_estimate=99_999)
    b.tables.reverse()
    assert a.checksum() == b.checksum()


def test_checksum_changes_when_a_column_is_added():
    assert _model().checksum() != _model(extra_column=True).checksum()


def test_canonical_round_trip_keeps_structure_and_stats():
    model = _model()
    again = SchemaModel.from_canonical(model.canonical(), model.stats())
    assert again.checksum() == model.checksum()
    assert again.table_map()["app.parent"].row_estimate == 10
    assert again.table_map()["app.child"].foreign_keys[0].ref_key == "app.parent"


def test_diff_reports_added_column_and_removed_table():
    old, new = _model(), _model(extra_column=True)
    new.tables = [t for t in new.tables if t.name != "child"]
    diff = diff_schemas(old, new)
    assert diff.tables_removed == ["app.child"]
    assert [t.key for t in diff.tables_changed] == ["app.parent"]
    assert diff.tables_changed[0].columns_added == ["email"]
    assert "+ column app.parent.email" in diff.summary_lines()


def test_diff_reports_changed_column_type_index_and_foreign_key():
    old, new = _model(), _model()
    parent = new.table_map()["app.parent"]
    parent.columns[1].type = "varchar(20)"
    parent.indexes.append(Index("ix_name", ["name"]))
    new.table_map()["app.child"].foreign_keys[0].on_delete = "CASCADE"
    diff = diff_schemas(old, new)
    by_key = {t.key: t for t in diff.tables_changed}
    assert by_key["app.parent"].columns_changed[0].name == "name"
    assert by_key["app.parent"].columns_changed[0].after["type"] == "varchar(20)"
    assert by_key["app.parent"].indexes_added == ["ix_name"]
    assert by_key["app.child"].foreign_keys_changed[0].name == "fk_parent"


def test_identical_schemas_have_an_empty_diff():
    assert diff_schemas(_model(), _model(row_estimate=5)).is_empty()


def test_a_changed_column_reads_in_sql_terms_not_python_values():
    old, new = _model(), _model()
    name = new.table_map()["app.parent"].columns[1]
    name.nullable, name.comment = False, "shown on invoices"
    new.table_map()["app.parent"].comment = "who pays"
    lines = diff_schemas(old, new).summary_lines()
    assert "~ column app.parent.name: comment: (none) -> shown on invoices; nullable: NULL -> NOT NULL" in lines
    assert "~ app.parent comment: (none) -> who pays" in lines
    assert not any("None" in line or "True" in line or "False" in line or "'" in line for line in lines)
