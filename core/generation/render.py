"""Tables as compact DDL-like text for prompts, and the token cost of that text."""

from __future__ import annotations

import math

from core.dialects import profile
from core.domain.schema import Dialect, Table

CHARS_PER_TOKEN = 3.5
"""Schema text is dense with identifiers and punctuation; 3.5 characters a token errs on the safe side."""


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def quote(name: str, dialect: Dialect) -> str:
    """The name as the dialect reads it back: bare when it can be, else quoted (see the dialect profile)."""
    return profile(dialect).quote_if_needed(name)


def render_table(table: Table, dialect: Dialect, *, qualify: bool) -> str:
    """One table as a CREATE TABLE-like block: types, keys, defaults, comments, enum labels, indexes."""
    name = quote(table.name, dialect)
    if qualify and table.schema:
        name = f"{quote(table.schema, dialect)}.{name}"
    head = "VIEW" if table.is_view else "TABLE"
    notes = []
    if table.comment:
        notes.append(table.comment.replace("\n", " "))
    if table.row_estimate is not None:
        notes.append(f"~{table.row_estimate:,} rows")
    lines = [f"CREATE {head} {name} (" + (f"  -- {'; '.join(notes)}" if notes else "")]
    fks = {fk.columns[0]: fk for fk in table.foreign_keys if len(fk.columns) == 1}
    body = []
    for col in table.columns:
        parts = [quote(col.name, dialect), col.type or "ANY"]
        if table.primary_key == [col.name]:
            parts.append("PRIMARY KEY")
        elif not col.nullable:
            parts.append("NOT NULL")
        if col.default is not None and len(col.default) <= 40:
            parts.append(f"DEFAULT {col.default}")
        fk = fks.get(col.name)
        if fk is not None:
            ref = quote(fk.ref_table, dialect)
            if qualify and fk.ref_schema:
                ref = f"{quote(fk.ref_schema, dialect)}.{ref}"
            parts.append(f"REFERENCES {ref}({', '.join(quote(c, dialect) for c in fk.ref_columns)})")
        comment = []
        if col.comment:
            comment.append(col.comment.replace("\n", " "))
        if col.enum_labels:
            comment.append("one of: " + ", ".join(col.enum_labels[:30]))
        body.append(("  " + " ".join(parts), "; ".join(comment)))
    if len(table.primary_key) > 1:
        body.append((f"  PRIMARY KEY ({', '.join(quote(c, dialect) for c in table.primary_key)})", ""))
    for fk in table.foreign_keys:
        if len(fk.columns) > 1:
            body.append((
                f"  FOREIGN KEY ({', '.join(quote(c, dialect) for c in fk.columns)}) REFERENCES "
                f"{quote(fk.ref_table, dialect)}({', '.join(quote(c, dialect) for c in fk.ref_columns)})",
                "",
            ))  # fmt: skip
    # the comma goes before a line's comment, or the comment swallows it and the DDL no longer parses
    last = len(body) - 1
    lines += [c + ("," if i < last else "") + (f"  -- {note}" if note else "") for i, (c, note) in enumerate(body)]
    lines.append(");")
    indexes = [ix for ix in table.indexes if not ix.primary and ix.columns != table.primary_key]
    if indexes:
        shown = "; ".join(
            f"{'unique ' if ix.unique else ''}{ix.method + ' ' if ix.method else ''}({', '.join(ix.columns)})"
            for ix in indexes[:8]
        )
        lines.append(f"-- indexes on {table.name}: {shown}")
    return "\n".join(lines)
