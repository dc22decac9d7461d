"""PostgreSQL introspection straight from pg_catalog, one query per object kind."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.engine import Connection

from core.domain.schema import (
    Column,
    Dialect,
    EnumType,
    ForeignKey,
    Index,
    SchemaModel,
    Table,
    TableKind,
    UniqueConstraint,
    UserFunction,
)
from core.introspection import Progress, select_schemas

NAMESPACES = """
SELECT n.oid, n.nspname FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'
ORDER BY n.nspname
"""

RELATIONS = """
SELECT c.oid, c.relnamespace, c.relname, c.relkind, c.reltuples::float8, d.description,
       (SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid ORDER BY i.inhseqno LIMIT 1),
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END
FROM pg_class c
LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE c.relnamespace = ANY(%(ns)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
"""

COLUMNS = """
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated, d.description, a.atttypid
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
WHERE c.relnamespace = ANY(%(ns)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

CONSTRAINTS = """
SELECT con.conrelid, con.conname, con.contype,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
       rn.nspname, rc.relname,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o),
       con.confupdtype, con.confdeltype
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE c.relnamespace = ANY(%(ns)s) AND con.contype IN ('p', 'u', 'f')
ORDER BY con.conrelid, con.conname
"""

INDEXES = """
SELECT i.indrelid, ic.relname, i.indisunique, i.indisprimary, i.indnkeyatts, am.amname,
       pg_get_expr(i.indpred, i.indrelid),
       ARRAY(SELECT CASE WHEN k.n = 0 THEN '(' || pg_get_indexdef(i.indexrelid, k.o::int, true) || ')'
                         ELSE a.attname END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE c.relnamespace = ANY(%(ns)s)
"""

ENUMS = """
SELECT t.oid, n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
GROUP BY t.oid, n.nspname, t.typname
"""

VIEW_DEPENDENCIES = """
SELECT DISTINCT r.ev_class, d.refobjid
FROM pg_rewrite r
JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
JOIN pg_class v ON v.oid = r.ev_class
WHERE v.relnamespace = ANY(%(ns)s) AND d.refobjid <> r.ev_class AND v.relkind IN ('v', 'm')
"""

# Extension functions (dblink installed in public, say) are kept: they are callable like any other.
# An aggregate is as volatile as the worst of itself and its support functions.
FUNCTIONS = """
SELECT p.pronamespace, p.proname, p.prokind,
       (SELECT CASE max(CASE v.vol WHEN 'v' THEN 2 WHEN 's' THEN 1 ELSE 0 END)
                    WHEN 2 THEN 'v' WHEN 1 THEN 's' ELSE 'i' END
        FROM (SELECT p.provolatile AS vol
              UNION ALL
              SELECT f.provolatile FROM pg_aggregate a
              JOIN pg_proc f ON f.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                                          a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn)
              WHERE a.aggfnoid = p.oid) v)
FROM pg_proc p
WHERE p.pronamespace = ANY(%(ns)s)
"""

SERVER = "SELECT current_setting('server_version'), current_schema()"

CATALOG_QUERIES = [RELATIONS, COLUMNS, CONSTRAINTS, INDEXES, ENUMS, VIEW_DEPENDENCIES, FUNCTIONS]
"""The set-based queries a snapshot runs (the benchmark times them bare)."""

_KINDS = {
    "r": TableKind.TABLE,
    "p": TableKind.PARTITIONED_TABLE,
    "v": TableKind.VIEW,
    "m": TableKind.MATERIALIZED_VIEW,
    "f": TableKind.FOREIGN_TABLE,
}
_FK_ACTIONS = {"a": None, "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_FUNCTION_KINDS = {"f": "function", "w": "function", "a": "aggregate", "p": "procedure"}
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_VOLATILITY_RANK = {"immutable": 0, "stable": 1, "volatile": 2}


def _rows(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql, params or {})
        return list(cur.fetchall())
    finally:
        cur.close()


def schema_oids(conn: Connection, include: list[str], exclude: list[str]) -> dict[int, str]:
    namespaces = {oid: name for oid, name in _rows(conn, NAMESPACES)}
    chosen = set(select_schemas(list(namespaces.values()), include, exclude))
    return {oid: name for oid, name in namespaces.items() if name in chosen}


def user_functions(conn: Connection, ns: dict[int, str]) -> list[UserFunction]:
    """The functions, aggregates and procedures of the chosen schemas, overloads folded (worst volatility wins)."""
    worst: dict[tuple[str, str, str], str] = {}
    for nsp, name, prokind, provolatile in _rows(conn, FUNCTIONS, {"ns": list(ns)}):
        key = (ns[nsp], name, _FUNCTION_KINDS.get(prokind, "function"))
        volatility = _VOLATILITY.get(provolatile, "volatile")
        if key not in worst or _VOLATILITY_RANK[volatility] > _VOLATILITY_RANK[worst[key]]:
            worst[key] = volatility
    return [
        UserFunction(schema=schema, name=name, kind=kind, volatility=volatility)
        for (schema, name, kind), volatility in sorted(worst.items())
    ]


def introspect_postgres(conn: Connection, include: list[str], exclude: list[str], progress: Progress) -> SchemaModel:
    steps = 8
    progress("server", 0, steps)
    version, current_schema = _rows(conn, SERVER)[0]
    ns = schema_oids(conn, include, exclude)
    params = {"ns": list(ns)}
    progress("tables", 1, steps)
    tables: dict[int, Table] = {}
    parents: dict[int, int] = {}
    for oid, nsp, relname, relkind, reltuples, comment, parent, key, bound in _rows(conn, RELATIONS, params):
        estimate = int(reltuples) if reltuples is not None and reltuples >= 0 else None
        tables[oid] = Table(
            schema=ns[nsp], name=relname, kind=_KINDS[relkind], comment=comment, row_estimate=estimate,
            partition_key=key or None, partition_bound=bound or None,
        )  # fmt: skip
        if parent is not None:
            parents[oid] = parent
    for oid, parent in parents.items():
        if parent in tables:
            tables[oid].partition_of = tables[parent].key

    progress("enums", 2, steps)
    enums: list[EnumType] = []
    enum_labels: dict[int, list[str]] = {}
    for oid, nsp, name, labels in _rows(conn, ENUMS):
        enums.append(EnumType(name=name, labels=list(labels), schema=nsp))
        enum_labels[oid] = list(labels)

    progress("columns", 3, steps)
    for relid, name, typ, notnull, default, identity, generated, comment, typid in _rows(conn, COLUMNS, params):
        table = tables.get(relid)
        if table is None:
            continue
        col = Column(name=name, type=typ, nullable=not notnull, comment=comment)
        if generated:
            col.generated = default
        else:
            col.default = default
        if identity == "a":
            col.identity = "always"
        elif identity == "d":
            col.identity = "by default"
        if typid in enum_labels:
            col.enum_labels = enum_labels[typid]
        table.columns.append(col)

    progress("constraints", 4, steps)
    for relid, conname, contype, cols, ref_ns, ref_table, ref_cols, upd, dele in _rows(conn, CONSTRAINTS, params):
        table = tables.get(relid)
        if table is None:
            continue
        if contype == "p":
            table.primary_key = list(cols)
        elif contype == "u":
            table.unique_constraints.append(UniqueConstraint(columns=list(cols), name=conname))
        else:
            table.foreign_keys.append(
                ForeignKey(
                    columns=list(cols),
                    ref_table=ref_table,
                    ref_columns=list(ref_cols),
                    ref_schema=ref_ns,
                    name=conname,
                    on_delete=_FK_ACTIONS.get(dele),
                    on_update=_FK_ACTIONS.get(upd),
                )
            )

    progress("indexes", 5, steps)
    for relid, name, unique, primary, nkey, method, predicate, cols in _rows(conn, INDEXES, params):
        table = tables.get(relid)
        if table is None:
            continue
        cols = list(cols)
        table.indexes.append(
            Index(
                name=name,
                columns=cols[:nkey],
                unique=unique,
                primary=primary,
                predicate=predicate,
                method=None if method == "btree" else method,
                include=cols[nkey:] or None,
            )
        )

    progress("views", 6, steps)
    deps: dict[int, list[str]] = defaultdict(list)
    for view_oid, ref_oid in _rows(conn, VIEW_DEPENDENCIES, params):
        ref = tables.get(ref_oid)
        if ref is not None and view_oid in tables:
            deps[view_oid].append(ref.key)
    for view_oid, keys in deps.items():
        tables[view_oid].depends_on = sorted(set(keys))

    progress("functions", 7, steps)
    functions = user_functions(conn, ns)

    progress("done", steps, steps)
    return SchemaModel(
        dialect=Dialect.POSTGRESQL,
        tables=list(tables.values()),
        enums=enums,
        server_version=str(version),
        default_schema=current_schema,
        schemas=sorted(ns.values()),
        functions=functions,
    )
