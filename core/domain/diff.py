"""SchemaDiff: what changed between two snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.domain.schema import Column, SchemaModel, Table


@dataclass(slots=True)
class Change:
    """One named object that exists on both sides but differs."""

    name: str
    before: dict[str, Any]
    after: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "before": self.before, "after": self.after}


@dataclass(slots=True)
class TableDiff:
    key: str
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_changed: list[Change] = field(default_factory=list)
    indexes_added: list[str] = field(default_factory=list)
    indexes_removed: list[str] = field(default_factory=list)
    indexes_changed: list[Change] = field(default_factory=list)
    foreign_keys_added: list[str] = field(default_factory=list)
    foreign_keys_removed: list[str] = field(default_factory=list)
    foreign_keys_changed: list[Change] = field(default_factory=list)
    attributes_changed: list[Change] = field(default_factory=list)
    """Table-level attributes: kind, comment, primary key, unique constraints, view dependencies."""

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__slots__ if name != "key")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"table": self.key}
        for name in self.__slots__:
            if name == "key":
                continue
            value = getattr(self, name)
            if value:
                d[name] = [v.to_dict() if isinstance(v, Change) else v for v in value]
        return d


@dataclass(slots=True)
class SchemaDiff:
    """Tables, columns, indexes and foreign keys added, removed and changed."""

    tables_added: list[str] = field(default_factory=list)
    tables_removed: list[str] = field(default_factory=list)
    tables_changed: list[TableDiff] = field(default_factory=list)
    enums_changed: list[Change] = field(default_factory=list)
    enums_added: list[str] = field(default_factory=list)
    enums_removed: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.tables_added
            or self.tables_removed
            or self.tables_changed
            or self.enums_changed
            or self.enums_added
            or self.enums_removed
        )

    def changed_tables(self) -> set[str]:
        """Every table key touched by the diff (added, removed or changed)."""
        return set(self.tables_added) | set(self.tables_removed) | {t.key for t in self.tables_changed}

    def counts(self) -> dict[str, int]:
        return {
            "tables_added": len(self.tables_added),
            "tables_removed": len(self.tables_removed),
            "tables_changed": len(self.tables_changed),
            "columns_added": sum(len(t.columns_added) for t in self.tables_changed),
            "columns_removed": sum(len(t.columns_removed) for t in self.tables_changed),
            "columns_changed": sum(len(t.columns_changed) for t in self.tables_changed),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "empty": self.is_empty(),
            "counts": self.counts(),
            "tables_added": self.tables_added,
            "tables_removed": self.tables_removed,
            "tables_changed": [t.to_dict() for t in self.tables_changed],
            "enums_added": self.enums_added,
            "enums_removed": self.enums_removed,
            "enums_changed": [c.to_dict() for c in self.enums_changed],
        }

    def summary_lines(self, limit: int = 20) -> list[str]:
        """Human-readable lines, most important first, at most ``limit`` (then a count of the rest)."""
        lines: list[str] = []
        lines += [f"+ table {k}" for k in self.tables_added]
        lines += [f"- table {k}" for k in self.tables_removed]
        for t in self.tables_changed:
            lines += [f"+ column {t.key}.{c}" for c in t.columns_added]
            lines += [f"- column {t.key}.{c}" for c in t.columns_removed]
            lines += [f"~ column {t.key}.{c.name}: {_describe_change(c)}" for c in t.columns_changed]
            lines += [f"+ index {i} on {t.key}" for i in t.indexes_added]
            lines += [f"- index {i} on {t.key}" for i in t.indexes_removed]
            lines += [f"~ index {c.name} on {t.key}" for c in t.indexes_changed]
            lines += [f"+ foreign key {f} on {t.key}" for f in t.foreign_keys_added]
            lines += [f"- foreign key {f} on {t.key}" for f in t.foreign_keys_removed]
            lines += [f"~ foreign key {c.name} on {t.key}" for c in t.foreign_keys_changed]
            lines += [f"~ {t.key} {c.name}: {_describe_attribute(c)}" for c in t.attributes_changed]
        lines += [f"+ enum {k}" for k in self.enums_added]
        lines += [f"- enum {k}" for k in self.enums_removed]
        lines += [f"~ enum {c.name}" for c in self.enums_changed]
        if len(lines) > limit:
            rest = len(lines) - limit
            lines = [*lines[:limit], f"... and {rest} more change(s)"]
        return lines


def _describe_change(change: Change) -> str:
    """What differs, in SQL terms: ``nullable: NOT NULL -> NULL; comment: (none) -> x``."""
    parts = []
    for key in sorted(set(change.before) | set(change.after)):
        b, a = change.before.get(key), change.after.get(key)
        if b != a:
            parts.append(f"{key}: {_shown(key, b)} -> {_shown(key, a)}")
    return "; ".join(parts)


def _describe_attribute(change: Change) -> str:
    key = change.name
    return f"{_shown(key, change.before.get(key))} -> {_shown(key, change.after.get(key))}"


def _shown(key: str, value: Any) -> str:
    """A schema attribute's value as a person reads it (never a Python repr)."""
    if key == "nullable" and isinstance(value, bool):
        return "NULL" if value else "NOT NULL"
    if value is None or value == [] or value == ():
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(f"({_shown(key, v)})" if isinstance(v, list | tuple) else _shown(key, v) for v in value)
    return str(value)


def _column_attrs(col: Column) -> dict[str, Any]:
    d = col.to_dict()
    d.pop("name")
    return d


def _diff_named(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
) -> tuple[list[str], list[str], list[Change]]:
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    changed = [Change(k, before[k], after[k]) for k in before if k in after and before[k] != after[k]]
    return added, removed, changed


def _diff_table(old: Table, new: Table) -> TableDiff:
    diff = TableDiff(key=new.key)
    old_cols = {c.name: _column_attrs(c) for c in old.columns}
    new_cols = {c.name: _column_attrs(c) for c in new.columns}
    diff.columns_added, diff.columns_removed, diff.columns_changed = _diff_named(old_cols, new_cols)
    diff.indexes_added, diff.indexes_removed, diff.indexes_changed = _diff_named(
        {i.name: i.to_dict() for i in old.indexes}, {i.name: i.to_dict() for i in new.indexes}
    )
    diff.foreign_keys_added, diff.foreign_keys_removed, diff.foreign_keys_changed = _diff_named(
        {f.identity(): f.to_dict() for f in old.foreign_keys}, {f.identity(): f.to_dict() for f in new.foreign_keys}
    )
    old_attrs, new_attrs = _table_attrs(old), _table_attrs(new)
    diff.attributes_changed = [
        Change(k, {k: old_attrs[k]}, {k: new_attrs[k]}) for k in old_attrs if old_attrs[k] != new_attrs[k]
    ]
    old_order, new_order = list(old_cols), list(new_cols)
    if old_order != new_order and set(old_order) == set(new_order):
        diff.attributes_changed.append(Change("column_order", {"column_order": old_order}, {"column_order": new_order}))
    return diff


def _table_attrs(t: Table) -> dict[str, Any]:
    return {
        "kind": t.kind.value,
        "comment": t.comment,
        "primary_key": t.primary_key,
        "unique_constraints": sorted(tuple(u.columns) for u in t.unique_constraints),
        "depends_on": sorted(t.depends_on),
        "partition_of": t.partition_of,
        "partition_key": t.partition_key,
        "partition_bound": t.partition_bound,
    }


def diff_schemas(old: SchemaModel, new: SchemaModel) -> SchemaDiff:
    """Compare two schema models; ``old`` may be empty for a first snapshot."""
    result = SchemaDiff()
    old_tables, new_tables = old.table_map(), new.table_map()
    result.tables_added = sorted(k for k in new_tables if k not in old_tables)
    result.tables_removed = sorted(k for k in old_tables if k not in new_tables)
    for key in sorted(old_tables.keys() & new_tables.keys()):
        o, n = old_tables[key], new_tables[key]
        if o.to_dict() == n.to_dict():
            continue
        table_diff = _diff_table(o, n)
        if not table_diff.is_empty():
            result.tables_changed.append(table_diff)
    result.enums_added, result.enums_removed, result.enums_changed = _diff_named(
        {e.key: e.to_dict() for e in old.enums}, {e.key: e.to_dict() for e in new.enums}
    )
    return result
