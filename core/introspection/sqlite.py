"""SQLite introspection with the pragma table-valued functions, comments read from the stored DDL."""

from __future__ import annotations

import sqlglot
from sqlalchemy.engine import Connection
from sqlglot import exp

from core.domain.schema import (
    Column,
    Dialect,
    ForeignKey,
    Index,
    SchemaModel,
    Table,
    TableKind,
    UniqueConstraint,
)
from core.introspection import Progress
from core.introspection.mysql import view_dependencies

OBJECTS = """
SELECT type, name, sql FROM sqlite_master
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
"""

COLUMNS = """
SELECT m.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid
"""

FOREIGN_KEYS = """
SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, f.id, f.seq
"""

INDEXES = """
SELECT m.name, il.name, il."unique", il.origin, il.partial, ii.seqno, ii.cid, ii.name
FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, il.name, ii.seqno
"""

CATALOG_QUERIES = [OBJECTS, COLUMNS, FOREIGN_KEYS, INDEXES]


def _rows(conn: Connection, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]


def ddl_comments(sql: str) -> tuple[str | None, dict[str, str]]:
    """(table comment, {column: comment}) from ``--`` and ``/* */`` comments in a CREATE TABLE text."""
    if "--" not in sql and "/*" not in sql:
        return None, {}
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
        tokens = sqlglot.Dialect.get_or_raise("sqlite").tokenize(sql)
    except Exception:  # an odd DDL text still gets a snapshot, without comments
        return None, {}
    table_comment = None
    for tok in tokens:
        if tok.comments and tok.text == "(":
            table_comment = " ".join(c.strip() for c in tok.comments).strip() or None
            break
    columns = {}
    for cd in tree.find_all(exp.ColumnDef):
        if cd.comments:
            text = " ".join(c.strip() for c in cd.comments).strip()
            if text:
                columns[cd.name] = text
    return table_comment, columns


def _row_estimates(conn: Connection, names: list[str]) -> dict[str, int]:
    has_stat = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).fetchone()
    estimates: dict[str, int] = {}
    if has_stat:
        for tbl, stat in conn.exec_driver_sql("SELECT tbl, stat FROM sqlite_stat1").fetchall():
            try:
                estimates.setdefault(tbl, int(str(stat).split()[0]))
            except (ValueError, IndexError):
                continue
        return estimates
    # Without ANALYZE statistics, count small tables exactly; counting is cheap below this size.
    page_count = conn.exec_driver_sql("PRAGMA page_count").scalar() or 0
    page_size = conn.exec_driver_sql("PRAGMA page_size").scalar() or 4096
    if page_count * page_size <= 64 * 1024 * 1024:
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            estimates[name] = int(conn.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar() or 0)
    return estimates


def introspect_sqlite(conn: Connection, include: list[str], exclude: list[str], progress: Progress) -> SchemaModel:
    """Read the file's schema (``include``/``exclude`` do not apply: SQLite has no schemas)."""
    steps = 5
    progress("server", 0, steps)
    version = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
    tables: dict[str, Table] = {}
    column_comments: dict[str, dict[str, str]] = {}
    for typ, name, sql in _rows(conn, OBJECTS):
        table = Table(schema=None, name=name, kind=TableKind.VIEW if typ == "view" else TableKind.TABLE)
        tables[name] = table
        if typ == "view" and sql:
            table.depends_on = view_dependencies(sql, "sqlite", None)
        elif sql:
            table.comment, column_comments[name] = ddl_comments(sql)

    progress("columns", 1, steps)
    pk_positions: dict[str, list[tuple[int, str]]] = {}
    for tname, _cid, cname, ctype, notnull, default, pk, hidden in _rows(conn, COLUMNS):
        table = tables[tname]
        col = Column(
            name=cname,
            type=ctype or "",
            nullable=not notnull and not pk,
            default=default,
            comment=column_comments.get(tname, {}).get(cname),
        )
        if hidden in (2, 3):
            col.generated, col.default = "(generated)", None
        table.columns.append(col)
        if pk:
            pk_positions.setdefault(tname, []).append((pk, cname))
    for tname, positions in pk_positions.items():
        table = tables[tname]
        table.primary_key = [c for _, c in sorted(positions)]
        if len(table.primary_key) == 1:
            key_col = table.column(table.primary_key[0])
            if key_col is not None and key_col.type.upper() == "INTEGER":
                key_col.identity = "rowid"
                key_col.nullable = False

    progress("foreign keys", 2, steps)
    fks: dict[tuple[str, int], ForeignKey] = {}
    for tname, fid, _seq, ref, col_from, col_to, on_update, on_delete in _rows(conn, FOREIGN_KEYS):
        fk = fks.get((tname, fid))
        if fk is None:
            fk = ForeignKey(
                columns=[],
                ref_table=ref,
                ref_columns=[],
                on_update=None if on_update == "NO ACTION" else on_update,
                on_delete=None if on_delete == "NO ACTION" else on_delete,
            )
            fks[(tname, fid)] = fk
            tables[tname].foreign_keys.append(fk)
        fk.columns.append(col_from)
        fk.ref_columns.append(col_to)
    by_lower = {name.lower(): t for name, t in tables.items()}
    for fk in fks.values():
        parent = by_lower.get(fk.ref_table.lower())
        if parent is not None:
            fk.ref_table = parent.name
            if any(c is None for c in fk.ref_columns):  # REFERENCES parent: its primary key
                fk.ref_columns = list(parent.primary_key) or ["rowid"]

    progress("indexes", 3, steps)
    idx: dict[tuple[str, str], Index] = {}
    for tname, iname, unique, origin, _partial, _seq, cid, cname in _rows(conn, INDEXES):
        index = idx.get((tname, iname))
        if index is None:
            index = Index(name=iname, columns=[], unique=bool(unique), primary=origin == "pk")
            idx[(tname, iname)] = index
            tables[tname].indexes.append(index)
            if origin == "u":
                tables[tname].unique_constraints.append(UniqueConstraint(columns=index.columns))
        index.columns.append(cname if cname is not None else ("rowid" if cid == -1 else "(expression)"))

    progress("statistics", 4, steps)
    for name, rows in _row_estimates(conn, [n for n, t in tables.items() if not t.is_view]).items():
        if name in tables:
            tables[name].row_estimate = rows
    progress("done", steps, steps)
    return SchemaModel(dialect=Dialect.SQLITE, tables=list(tables.values()), server_version=str(version), properties={})
