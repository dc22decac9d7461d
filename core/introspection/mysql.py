"""MySQL / MariaDB introspection from information_schema, one query per object kind."""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlalchemy.engine import Connection
from sqlglot import exp

from core.dialects import profile
from core.domain.schema import (
    Column,
    Dialect,
    ForeignKey,
    Index,
    SchemaModel,
    Table,
    TableKind,
    UniqueConstraint,
    UserFunction,
    qualified,
)
from core.introspection import Progress, select_schemas

SYSTEM_SCHEMAS = profile(Dialect.MYSQL).system_schemas

SERVER = "SELECT VERSION(), @@lower_case_table_names, @@sql_mode, DATABASE()"
SCHEMATA = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME"

# information_schema answers fastest with an equality on TABLE_SCHEMA (the server then opens one
# database directory only), so every query runs once per schema.
# Rows come back through pymysql's pure-Python parser, so every query asks for as few fields as it
# can and turns empty strings into NULL on the server (a NULL costs one byte to parse).
TABLES = """
SELECT TABLE_NAME, TABLE_TYPE = 'VIEW', NULLIF(TABLE_COMMENT, ''), TABLE_ROWS
FROM information_schema.TABLES WHERE TABLE_SCHEMA = %(schema)s
"""

COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE = 'YES', COLUMN_TYPE,
       NULLIF(COLUMN_COMMENT, ''), NULLIF(EXTRA, ''), NULLIF(GENERATION_EXPRESSION, '')
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %(schema)s ORDER BY TABLE_NAME, ORDINAL_POSITION
"""

# The same rows packed into one string per table: a tenth of the packets for pymysql to parse.
# Unit separator between fields, record separator between columns, STX for NULL.
PACKED_COLUMNS = """
SELECT TABLE_NAME,
       GROUP_CONCAT(CONCAT_WS(CHAR(31), COLUMN_NAME, IFNULL(COLUMN_DEFAULT, CHAR(2)), IS_NULLABLE = 'YES',
                              COLUMN_TYPE, COLUMN_COMMENT, EXTRA, IFNULL(GENERATION_EXPRESSION, ''))
                    ORDER BY ORDINAL_POSITION SEPARATOR 0x1e)
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %(schema)s GROUP BY TABLE_NAME
"""
_NULL = "\x02"

STATISTICS = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, NULLIF(INDEX_TYPE, 'BTREE')
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %(schema)s ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""

# Joining KEY_COLUMN_USAGE with REFERENTIAL_CONSTRAINTS in SQL is ten times slower than reading
# both and joining them here.
FOREIGN_KEY_COLUMNS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,
       REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = %(schema)s AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
"""

FOREIGN_KEY_RULES = """
SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %(schema)s
"""

VIEWS = """
SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = %(schema)s
"""

# One query for all chosen schemas (routines are few). SQL_DATA_ACCESS and IS_DETERMINISTIC are what
# the routine declares; the server checks neither.
ROUTINES = """
SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, SQL_DATA_ACCESS, IS_DETERMINISTIC
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN %(schemas)s
"""

CATALOG_QUERIES = [TABLES, PACKED_COLUMNS, STATISTICS, FOREIGN_KEY_COLUMNS, FOREIGN_KEY_RULES, VIEWS]

_ENUM_RE = re.compile(r"^(enum|set)\((.*)\)$", re.IGNORECASE | re.DOTALL)


def _rows(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def enum_labels(column_type: str) -> list[str] | None:
    """Labels of an ``enum('a','b')`` column type."""
    m = _ENUM_RE.match(column_type.strip())
    if not m or m.group(1).lower() != "enum":
        return None
    return [s.replace("''", "'") for s in re.findall(r"'((?:[^']|'')*)'", m.group(2))]


def _default(value: str | None, mariadb: bool) -> str | None:
    if value is None:
        return None
    if mariadb and value == "NULL":
        return None  # MariaDB reports a NULL default as the text NULL
    return value


def _column_rows(conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """COLUMNS rows, read packed; falls back to plain rows if a name holds a separator character."""
    conn.exec_driver_sql("SET SESSION group_concat_max_len = 1073741824")
    rows: list[tuple[Any, ...]] = []
    for tname, packed in _rows(conn, PACKED_COLUMNS, params):
        for record in packed.split("\x1e"):
            fields = record.split("\x1f")
            if len(fields) != 7:
                return _rows(conn, COLUMNS, params)
            name, default, nullable, ctype, comment, extra, gen = fields
            rows.append(
                (
                    tname,
                    name,
                    None if default == _NULL else default,
                    nullable,
                    ctype,
                    comment or None,
                    extra or None,
                    gen or None,
                )
            )
    return rows


def choose_schemas(conn: Connection, include: list[str], exclude: list[str], current: str | None) -> list[str]:
    if include:
        available = [r[0] for r in _rows(conn, SCHEMATA) if r[0] not in SYSTEM_SCHEMAS]
        return select_schemas(available, include, exclude)
    if current:
        return select_schemas([current], [], exclude)
    available = [r[0] for r in _rows(conn, SCHEMATA) if r[0] not in SYSTEM_SCHEMAS]
    return select_schemas(available, [], exclude)


def introspect_mysql(conn: Connection, include: list[str], exclude: list[str], progress: Progress) -> SchemaModel:
    steps = 6
    progress("server", 0, steps)
    version, lctn, sql_mode, current = _rows(conn, SERVER)[0]
    mariadb = "mariadb" in str(version).lower()
    schemas = choose_schemas(conn, include, exclude, current)
    model = SchemaModel(
        dialect=Dialect.MYSQL,
        server_version=str(version),
        default_schema=current,
        schemas=schemas,
        properties={"lower_case_table_names": int(lctn), "sql_mode": str(sql_mode), "mariadb": mariadb},
    )
    for position, schema in enumerate(schemas):
        model.tables.extend(_read_schema(conn, schema, mariadb, progress, position, len(schemas)))
    model.functions = user_functions(conn, schemas)
    progress("done", 1, 1)
    return model


_ROUTINE_KINDS = {"FUNCTION": "function", "PROCEDURE": "procedure"}


def user_functions(conn: Connection, schemas: list[str]) -> list[UserFunction]:
    """Stored functions and procedures of the chosen schemas (MariaDB packages are not callable, so left out)."""
    if not schemas:
        return []
    functions = {
        UserFunction(
            schema=schema,
            name=name,
            kind=_ROUTINE_KINDS[str(rtype).upper()],
            volatility="unknown",
            data_access=str(access).upper() if access else None,
            deterministic=None if deterministic is None else str(deterministic).upper() == "YES",
        )
        for schema, name, rtype, access, deterministic in _rows(conn, ROUTINES, {"schemas": tuple(schemas)})
        if str(rtype).upper() in _ROUTINE_KINDS
    }
    return sorted(functions, key=lambda f: (f.schema or "", f.name, f.kind))


def _read_schema(
    conn: Connection, schema: str, mariadb: bool, progress: Progress, position: int, count: int
) -> list[Table]:
    steps = 6 * count
    base = 6 * position
    params = {"schema": schema}
    progress(f"tables of {schema}", base + 1, steps)
    tables: dict[str, Table] = {}
    for name, is_view, comment, rows in _rows(conn, TABLES, params):
        view = bool(int(is_view))
        tables[name] = Table(
            schema=schema,
            name=name,
            kind=TableKind.VIEW if view else TableKind.TABLE,
            comment=None if view else comment,
            row_estimate=int(rows) if rows is not None and not view else None,
        )

    progress(f"columns of {schema}", base + 2, steps)
    current_name, current_table = None, None
    for tname, cname, default, nullable, ctype, comment, extra, gen in _column_rows(conn, params):
        if tname != current_name:
            current_name, current_table = tname, tables.get(tname)
        if current_table is None:
            continue
        col = Column(
            name=cname,
            type=ctype,
            nullable=bool(int(nullable)),
            comment=comment,
            enum_labels=enum_labels(ctype) if ctype[:5].lower() == "enum(" else None,
        )
        lowered = extra.lower() if extra else ""
        if gen and "generated" in lowered:
            col.generated = gen
        else:
            col.default = _default(default, mariadb)
        if "auto_increment" in lowered:
            col.identity = "auto_increment"
        current_table.columns.append(col)

    progress(f"indexes of {schema}", base + 3, steps)
    index: Index | None = None
    index_key: tuple[str, str] | None = None
    for tname, iname, non_unique, cname, itype in _rows(conn, STATISTICS, params):
        table = tables.get(tname)
        if table is None:
            continue
        if index_key != (tname, iname):
            index_key = (tname, iname)
            primary = iname == "PRIMARY"
            index = Index(
                name=iname,
                columns=[],
                unique=not int(non_unique),
                primary=primary,
                method=itype.lower() if itype else None,
            )
            table.indexes.append(index)
            if primary:
                table.primary_key = index.columns
            elif index.unique:
                table.unique_constraints.append(UniqueConstraint(columns=index.columns, name=iname))
        assert index is not None
        index.columns.append(cname if cname is not None else "(expression)")

    progress(f"foreign keys of {schema}", base + 4, steps)
    rules = {(t, c): (u, d) for t, c, u, d in _rows(conn, FOREIGN_KEY_RULES, params)}
    fk: ForeignKey | None = None
    fk_key: tuple[str, str] | None = None
    for tname, cname, col, ref_schema, ref_table, ref_col in _rows(conn, FOREIGN_KEY_COLUMNS, params):
        table = tables.get(tname)
        if table is None:
            continue
        if fk_key != (tname, cname):
            fk_key = (tname, cname)
            on_update, on_delete = rules.get((tname, cname), (None, None))
            fk = ForeignKey(
                columns=[],
                ref_schema=ref_schema,
                ref_table=ref_table,
                ref_columns=[],
                name=cname,
                on_update=_rule(on_update),
                on_delete=_rule(on_delete),
            )
            table.foreign_keys.append(fk)
        assert fk is not None
        fk.columns.append(col)
        fk.ref_columns.append(ref_col)

    progress(f"views of {schema}", base + 5, steps)
    for vname, definition in _rows(conn, VIEWS, params):
        view_table = tables.get(vname)
        if view_table is not None and definition:
            view_table.depends_on = view_dependencies(definition, "mysql", schema)
    return list(tables.values())


def _rule(rule: str | None) -> str | None:
    if not rule or rule.upper() in ("NO ACTION",):
        return None
    return rule.upper()


def view_dependencies(definition: str, dialect: str, default_schema: str | None) -> list[str]:
    """Keys of the tables a view's SELECT reads (CTE names excluded)."""
    try:
        tree = sqlglot.parse_one(definition, read=dialect)
    except Exception:  # an unparsable view still gets a snapshot, without dependencies
        return []
    if isinstance(tree, exp.Create) and tree.expression is not None:
        tree = tree.expression
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    keys = set()
    for t in tree.find_all(exp.Table):
        if not t.name or (not t.db and t.name in ctes):
            continue
        keys.add(qualified(t.db or default_schema, t.name))
    return sorted(keys)
