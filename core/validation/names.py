"""Name lookup against a snapshot with each dialect's identifier rules.

PostgreSQL folds unquoted names to lower case and matches quoted names exactly. MySQL matches
column names case-insensitively and table names by ``lower_case_table_names`` (0: exactly).
SQLite matches everything case-insensitively. A script's own DDL (CREATE, ALTER, DROP) is applied
to a fork of the index so that later statements see it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from sqlglot import exp

from core.dialects import profile
from core.domain.schema import Column, Dialect, SchemaModel, Table, TableKind, qualified
from core.validation.suggest import close_lowered


@dataclass(slots=True)
class TableLookup:
    table: Table | None
    system: bool = False
    """A system catalog table: exists, columns unknown to the snapshot."""
    case_mismatch: Table | None = None
    """A table that would match if the case were different (for schema.identifier_case)."""
    suggestions: list[str] | None = None


class SchemaIndex:
    """Tables and columns of a snapshot, keyed for the dialect's matching rules."""

    def __init__(self, model: SchemaModel) -> None:
        self.dialect = model.dialect
        self.profile = profile(model.dialect)
        self.model = model
        self.default_schema = model.default_schema
        self.lower_case_table_names = int(model.properties.get("lower_case_table_names", 0) or 0)
        self.sql_mode = str(model.properties.get("sql_mode", "") or "")
        self.known_sql_mode: str | None = self.sql_mode if "sql_mode" in model.properties else None
        """The server's sql_mode when the snapshot recorded it (it changes how MySQL lexes strings)."""
        self.mariadb = bool(model.properties.get("mariadb", False))
        self.empty = False
        self._tables: dict[str, Table] = {}
        self._by_name: dict[str, list[Table]] = {}
        self._by_lower: dict[str, list[Table]] = {}
        self._columns: dict[str, dict[str, Column]] = {}
        self._index_names: dict[str, str] = {}
        self.dependents_cache: dict[str, list[tuple[str, str, str]]] | None = None
        self.created: set[str] = set()
        """Keys of the tables and views the script created (new: no rows, nobody reads them yet)."""
        self.created_indexes: set[str] = set()
        self.presumed: set[str] = set()
        """Keys of tables a script without a snapshot acts on without creating them: presumed to exist."""
        self.dropped: set[str] = set()
        for table in model.tables:
            self._add(table)

    @classmethod
    def without_snapshot(cls, dialect: Dialect) -> SchemaIndex:
        index = cls(SchemaModel(dialect=dialect))
        index.empty = True
        return index

    # --- keys ------------------------------------------------------------------------------------

    def table_key(self, name: str) -> str:
        """The key of a catalog table name (MySQL: as ``lower_case_table_names`` says)."""
        return self.profile.key(name, self.profile.table_match, caseless_server=bool(self.lower_case_table_names))

    def column_key(self, name: str) -> str:
        return self.profile.key(name, self.profile.column_match)

    def ident_table_key(self, ident: exp.Identifier | str) -> str:
        """The key an identifier in SQL looks up (PostgreSQL folds unquoted names)."""
        name, quoted = (ident, False) if isinstance(ident, str) else (ident.this, ident.quoted)
        return self.table_key(name if quoted else self.profile.fold_unquoted(name))

    def ident_column_key(self, ident: exp.Identifier | str) -> str:
        name, quoted = (ident, False) if isinstance(ident, str) else (ident.this, ident.quoted)
        return self.column_key(name if quoted else self.profile.fold_unquoted(name))

    def alias_key(self, ident: exp.Identifier | str) -> str:
        """Aliases follow the table-name rules (MySQL: case-sensitive when lower_case_table_names is 0)."""
        return self.ident_table_key(ident)

    # --- tables ----------------------------------------------------------------------------------

    def _full_key(self, schema: str | None, name: str) -> str:
        return qualified(self.table_key(schema) if schema else None, self.table_key(name))

    def _add(self, table: Table) -> None:
        self._tables[self._full_key(table.schema, table.name)] = table
        self._by_name.setdefault(self.table_key(table.name), []).append(table)
        self._by_lower.setdefault(table.name.lower(), []).append(table)
        self._columns[table.key] = {self.column_key(c.name): c for c in table.columns}
        for ix in table.indexes:
            self._index_names[self.table_key(ix.name)] = table.key

    def _remove(self, table: Table) -> None:
        self._tables.pop(self._full_key(table.schema, table.name), None)
        for bucket in (self._by_name.get(self.table_key(table.name), []), self._by_lower.get(table.name.lower(), [])):
            if table in bucket:
                bucket.remove(table)
        self._columns.pop(table.key, None)
        for ix in table.indexes:
            self._index_names.pop(self.table_key(ix.name), None)

    def tables(self) -> list[Table]:
        return list(self._tables.values())

    def lookup_table(self, schema_ident: exp.Identifier | None, name_ident: exp.Identifier) -> TableLookup:
        """Find a table or view by its (optionally schema-qualified) name in SQL."""
        name = name_ident.this
        schema = schema_ident.this if schema_ident is not None else None
        if self.profile.is_system_table(schema, name):
            return TableLookup(table=None, system=True)
        if schema is not None and schema.lower() in self.profile.schema_aliases:
            schema = None
        key = self.ident_table_key(name_ident)
        if schema is not None:
            schema_key = self.ident_table_key(schema_ident) if schema_ident is not None else schema
            found = self._tables.get(qualified(schema_key, key))
            if found is None and not self.profile.has_schemas:
                found = self._tables.get(key)
            if found is not None:
                return TableLookup(table=found)
            candidates = [t for t in self._by_lower.get(name.lower(), []) if (t.schema or "").lower() == schema.lower()]
        else:
            candidates_exact = self._by_name.get(key, [])
            found = self._pick_default(candidates_exact)
            if found is not None:
                return TableLookup(table=found)
            candidates = self._by_lower.get(name.lower(), [])
        mismatch = self._pick_default(candidates) if candidates else None
        if mismatch is not None and mismatch.name != key:
            return TableLookup(table=None, case_mismatch=mismatch)
        return TableLookup(table=None, suggestions=self.table_suggestions(name, schema))

    def _pick_default(self, candidates: list[Table]) -> Table | None:
        if not candidates:
            return None
        if not self.profile.has_schemas or (len(candidates) == 1 and candidates[0].schema is None):
            return candidates[0]
        for table in candidates:
            if table.schema == self.default_schema:
                return table
        if self.profile.default_schema is not None:
            for table in candidates:
                if table.schema == self.profile.default_schema:
                    return table
        return None

    def table_suggestions(self, name: str, schema: str | None = None) -> list[str]:
        close = close_lowered(name.lower(), sorted(k for k, v in self._by_lower.items() if v))
        keys = []
        for candidate in close:
            for t in self._by_lower.get(candidate.lower(), []):
                keys.append(t.name if t.schema in (None, self.default_schema) else t.key)
        return keys[:3]

    def index_table(self, name: str) -> str | None:
        return self._index_names.get(self.table_key(name))

    # --- columns ---------------------------------------------------------------------------------

    def column_map(self, table: Table) -> dict[str, Column]:
        return self._columns.get(table.key, {})

    def is_system_column(self, key: str) -> bool:
        return key.lower() in self.profile.system_columns

    # --- script overlay --------------------------------------------------------------------------

    def fork(self) -> SchemaIndex:
        """A copy the script's DDL can change without touching the cached index."""
        clone = copy.copy(self)
        clone._tables = dict(self._tables)
        clone._by_name = {k: list(v) for k, v in self._by_name.items()}
        clone._by_lower = {k: list(v) for k, v in self._by_lower.items()}
        clone._columns = dict(self._columns)
        clone._index_names = dict(self._index_names)
        clone.dependents_cache = None
        clone.created = set(self.created)
        clone.created_indexes = set(self.created_indexes)
        clone.presumed = set(self.presumed)
        clone.dropped = set(self.dropped)
        return clone

    def create_table(self, schema: str | None, name: str, columns: list[Column], kind: TableKind) -> Table:
        if self.profile.has_schemas and schema is None:
            schema = self.default_schema or self.profile.default_schema
        table = Table(schema=schema, name=name, kind=kind, columns=columns)
        self._add(table)
        self.created.add(table.key)
        self.dropped.discard(table.key)
        return table

    def presume_table(self, schema_ident: exp.Identifier | None, name_ident: exp.Identifier) -> Table | None:
        """Without a snapshot, a table the script names but did not create exists (columns unknown).

        None with a snapshot (it knows what exists), for a system table, or for a table the script dropped.
        """
        if not self.empty or self.lookup_table(schema_ident, name_ident).system:
            return None
        schema = self.ident_table_key(schema_ident) if schema_ident is not None else None
        table = Table(schema=schema, name=self.ident_table_key(name_ident), kind=TableKind.TABLE)
        if table.key in self.dropped:
            return None
        self._add(table)
        self.presumed.add(table.key)
        return table

    def is_new(self, table: Table) -> bool:
        """Whether the script itself created the table."""
        return table.key in self.created

    def is_presumed(self, table: Table) -> bool:
        """Whether the table is presumed to exist (no snapshot): its columns and indexes are unknown."""
        return table.key in self.presumed

    def table_by_key(self, key: str) -> Table | None:
        return next((t for t in self._tables.values() if t.key == key), None)

    def drop_table(self, table: Table) -> None:
        self._remove(table)
        self.dropped.add(table.key)

    def replace_table(self, old: Table, new: Table) -> None:
        self._remove(old)
        self._add(new)

    def add_index(self, name: str, table: Table, *, created: bool = True) -> None:
        self._index_names[self.table_key(name)] = table.key
        if created:
            self.created_indexes.add(self.table_key(name))

    def index_is_new(self, name: str) -> bool:
        return self.table_key(name) in self.created_indexes

    def drop_index(self, name: str) -> None:
        self._index_names.pop(self.table_key(name), None)
