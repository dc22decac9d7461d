"""The schema model a snapshot holds, its canonical JSON form and checksum.

The canonical form is what the checksum covers: structure only. Row estimates change all the time
and are kept apart (``stats``) so that an unchanged schema keeps its checksum.

>>> t = Table(schema=None, name="t", columns=[Column(name="id", type="integer", nullable=False)])
>>> SchemaModel(dialect=Dialect.SQLITE, tables=[t]).checksum()[:12]
'a7152b826dcf'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Dialect(StrEnum):
    """The database families sqldraft reads (MariaDB is ``mysql`` with ``properties.mariadb``)."""

    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    SQLITE = "sqlite"

    @property
    def sqlglot(self) -> str:
        """The sqlglot dialect name."""
        return {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}[self.value]


class TableKind(StrEnum):
    TABLE = "table"
    PARTITIONED_TABLE = "partitioned_table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized_view"
    FOREIGN_TABLE = "foreign_table"


@dataclass(slots=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    comment: str | None = None
    identity: str | None = None
    """How the database fills it: ``always``/``by default`` (PostgreSQL identity),
    ``auto_increment`` (MySQL), ``rowid`` (SQLite INTEGER PRIMARY KEY)."""
    generated: str | None = None
    """The expression of a generated (computed) column."""
    enum_labels: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.type, "nullable": self.nullable}
        for key in ("default", "comment", "identity", "generated", "enum_labels"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Column:
        return cls(
            name=d["name"],
            type=d["type"],
            nullable=d.get("nullable", True),
            default=d.get("default"),
            comment=d.get("comment"),
            identity=d.get("identity"),
            generated=d.get("generated"),
            enum_labels=d.get("enum_labels"),
        )

    @property
    def has_default(self) -> bool:
        return self.default is not None or self.identity is not None or self.generated is not None


@dataclass(slots=True)
class ForeignKey:
    columns: list[str]
    ref_table: str
    ref_columns: list[str]
    ref_schema: str | None = None
    name: str | None = None
    on_delete: str | None = None
    on_update: str | None = None

    @property
    def ref_key(self) -> str:
        return qualified(self.ref_schema, self.ref_table)

    def identity(self) -> str:
        return self.name or f"({','.join(self.columns)})->{self.ref_key}({','.join(self.ref_columns)})"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"columns": self.columns, "ref_table": self.ref_table, "ref_columns": self.ref_columns}
        for key in ("ref_schema", "name", "on_delete", "on_update"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ForeignKey:
        return cls(
            columns=list(d["columns"]),
            ref_table=d["ref_table"],
            ref_columns=list(d["ref_columns"]),
            ref_schema=d.get("ref_schema"),
            name=d.get("name"),
            on_delete=d.get("on_delete"),
            on_update=d.get("on_update"),
        )


@dataclass(slots=True)
class Index:
    name: str
    columns: list[str]
    """Key columns in order; an expression is kept as its text in parentheses."""
    unique: bool = False
    primary: bool = False
    predicate: str | None = None
    method: str | None = None
    include: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "columns": self.columns, "unique": self.unique}
        if self.primary:
            d["primary"] = True
        for key in ("predicate", "method", "include"):
            value = getattr(self, key)
            if value:
                d[key] = value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Index:
        return cls(
            name=d["name"],
            columns=list(d["columns"]),
            unique=d.get("unique", False),
            primary=d.get("primary", False),
            predicate=d.get("predicate"),
            method=d.get("method"),
            include=d.get("include"),
        )


@dataclass(slots=True)
class UniqueConstraint:
    columns: list[str]
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"columns": self.columns}
        if self.name:
            d["name"] = self.name
        return d


@dataclass(slots=True)
class Table:
    schema: str | None
    name: str
    kind: TableKind = TableKind.TABLE
    comment: str | None = None
    columns: list[Column] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    unique_constraints: list[UniqueConstraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    partition_of: str | None = None
    """The key of the parent: a declarative partition's partitioned table, or the table an inheritance
    child (``INHERITS``, PostgreSQL ``pg_inherits``) derives from (its first parent)."""
    partition_key: str | None = None
    """A partitioned table's key as PostgreSQL prints it (``RANGE (payment_date)``); None otherwise."""
    partition_bound: str | None = None
    """A declarative partition's bound (``FOR VALUES FROM (...) TO (...)``); None for inheritance children."""
    depends_on: list[str] = field(default_factory=list)
    """For views: the keys of the tables and views it reads."""
    row_estimate: int | None = None
    """Volatile statistics: not part of the canonical form or the checksum."""

    @property
    def key(self) -> str:
        return qualified(self.schema, self.name)

    @property
    def is_view(self) -> bool:
        return self.kind in (TableKind.VIEW, TableKind.MATERIALIZED_VIEW)

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind.value}
        if self.schema is not None:
            d["schema"] = self.schema
        if self.comment:
            d["comment"] = self.comment
        d["columns"] = [c.to_dict() for c in self.columns]
        if self.primary_key:
            d["primary_key"] = self.primary_key
        if self.foreign_keys:
            d["foreign_keys"] = sorted((fk.to_dict() for fk in self.foreign_keys), key=_fk_sort_key)
        if self.unique_constraints:
            d["unique_constraints"] = sorted(
                (u.to_dict() for u in self.unique_constraints), key=lambda u: (u.get("name") or "", u["columns"])
            )
        if self.indexes:
            d["indexes"] = sorted((i.to_dict() for i in self.indexes), key=lambda i: i["name"])
        if self.partition_of:
            d["partition_of"] = self.partition_of
        if self.partition_key:
            d["partition_key"] = self.partition_key
        if self.partition_bound:
            d["partition_bound"] = self.partition_bound
        if self.depends_on:
            d["depends_on"] = sorted(set(self.depends_on))
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], row_estimate: int | None = None) -> Table:
        return cls(
            schema=d.get("schema"),
            name=d["name"],
            kind=TableKind(d.get("kind", "table")),
            comment=d.get("comment"),
            columns=[Column.from_dict(c) for c in d.get("columns", [])],
            primary_key=list(d.get("primary_key", [])),
            foreign_keys=[ForeignKey.from_dict(f) for f in d.get("foreign_keys", [])],
            unique_constraints=[
                UniqueConstraint(columns=list(u["columns"]), name=u.get("name"))
                for u in d.get("unique_constraints", [])
            ],
            indexes=[Index.from_dict(i) for i in d.get("indexes", [])],
            partition_of=d.get("partition_of"),
            partition_key=d.get("partition_key"),
            partition_bound=d.get("partition_bound"),
            depends_on=list(d.get("depends_on", [])),
            row_estimate=row_estimate,
        )


def _fk_sort_key(fk: dict[str, Any]) -> tuple[str, list[str], str]:
    return (fk.get("name") or "", fk["columns"], fk["ref_table"])


@dataclass(slots=True)
class EnumType:
    name: str
    labels: list[str]
    schema: str | None = None

    @property
    def key(self) -> str:
        return qualified(self.schema, self.name)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "labels": self.labels}
        if self.schema is not None:
            d["schema"] = self.schema
        return d


def qualified(schema: str | None, name: str) -> str:
    """``schema.name``, or ``name`` where the dialect has no schemas."""
    return f"{schema}.{name}" if schema else name


@dataclass(frozen=True, slots=True)
class UserFunction:
    """A function or procedure defined in the database (not a built-in), as the validator judges it.

    Overloads are folded into one entry per (schema, name, kind) carrying the least safe volatility.
    """

    schema: str | None
    name: str
    kind: str
    """``function``, ``procedure`` or ``aggregate``."""
    volatility: str
    """``immutable``, ``stable``, ``volatile`` (PostgreSQL), or ``unknown`` (MySQL has no such notion)."""
    data_access: str | None = None
    """MySQL's declared ``NO SQL``, ``CONTAINS SQL``, ``READS SQL DATA`` or ``MODIFIES SQL DATA``."""
    deterministic: bool | None = None
    """MySQL's ``DETERMINISTIC`` flag (declared, never checked by the server)."""

    @property
    def key(self) -> str:
        return qualified(self.schema, self.name)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "volatility": self.volatility}
        for key in ("schema", "data_access", "deterministic"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UserFunction:
        return cls(
            schema=d.get("schema"),
            name=d["name"],
            kind=d.get("kind", "function"),
            volatility=d.get("volatility", "unknown"),
            data_access=d.get("data_access"),
            deterministic=d.get("deterministic"),
        )


def _function_sort_key(f: dict[str, Any]) -> tuple[str, str, str]:
    return (f.get("schema") or "", f["name"], f["kind"])


FORMAT_VERSION = 1


@dataclass(slots=True)
class SchemaModel:
    """Everything a snapshot knows about one database."""

    dialect: Dialect
    tables: list[Table] = field(default_factory=list)
    enums: list[EnumType] = field(default_factory=list)
    server_version: str = ""
    default_schema: str | None = None
    schemas: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    """Server settings that change how SQL reads (``lower_case_table_names``, ``sql_mode``, ``mariadb``)."""
    functions: list[UserFunction] = field(default_factory=list)
    """User-defined functions and procedures of the included schemas (SQLite has none)."""

    def canonical(self) -> dict[str, Any]:
        """The structure-only form the checksum covers (sorted, no statistics).

        ``functions`` appears only when there are some, so that a schema without user functions keeps
        the checksum it had before functions were recorded.
        """
        d: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "dialect": self.dialect.value,
            "server_version": self.server_version,
            "default_schema": self.default_schema,
            "schemas": sorted(self.schemas),
            "properties": dict(sorted(self.properties.items())),
            "enums": sorted((e.to_dict() for e in self.enums), key=lambda e: (e.get("schema") or "", e["name"])),
            "tables": [t.to_dict() for t in sorted(self.tables, key=lambda t: (t.schema or "", t.name))],
        }
        if self.functions:
            d["functions"] = sorted((f.to_dict() for f in self.functions), key=_function_sort_key)
        return d

    def canonical_json(self) -> str:
        return json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def checksum(self, canonical_json: str | None = None) -> str:
        """blake2b-256 of the canonical JSON, hex."""
        text = canonical_json if canonical_json is not None else self.canonical_json()
        return hashlib.blake2b(text.encode("utf-8"), digest_size=32).hexdigest()

    def stats(self) -> dict[str, int]:
        return {t.key: t.row_estimate for t in self.tables if t.row_estimate is not None}

    @classmethod
    def from_canonical(cls, d: dict[str, Any], stats: dict[str, int] | None = None) -> SchemaModel:
        stats = stats or {}
        tables = []
        for td in d.get("tables", []):
            key = qualified(td.get("schema"), td["name"])
            tables.append(Table.from_dict(td, row_estimate=stats.get(key)))
        return cls(
            dialect=Dialect(d["dialect"]),
            tables=tables,
            enums=[
                EnumType(name=e["name"], labels=list(e["labels"]), schema=e.get("schema")) for e in d.get("enums", [])
            ],
            server_version=d.get("server_version", ""),
            default_schema=d.get("default_schema"),
            schemas=list(d.get("schemas", [])),
            properties=dict(d.get("properties", {})),
            functions=[UserFunction.from_dict(f) for f in d.get("functions", [])],
        )

    def table_map(self) -> dict[str, Table]:
        return {t.key: t for t in self.tables}
