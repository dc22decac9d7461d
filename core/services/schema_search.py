"""Finding tables and columns in a schema model by name, with "did you mean" suggestions."""

from __future__ import annotations

from core.domain.schema import SchemaModel, Table
from core.errors import InvalidInput, NotFound
from core.generation.examples import Example
from core.generation.render import render_table
from core.generation.retrieval import RetrievalIndex
from core.validation.suggest import suggest


def referenced_by(schema: SchemaModel, table: Table) -> list[str]:
    """Keys of the tables with a foreign key to ``table``, and of the views that read it."""
    out = []
    for other in schema.tables:
        if other.key == table.key:
            continue
        if (
            any(fk.ref_table == table.name and fk.ref_schema in (None, table.schema) for fk in other.foreign_keys)
            or table.key in other.depends_on
        ):
            out.append(other.key)
    return sorted(out)


def find_table(schema: SchemaModel, name: str) -> Table:
    """A table or view by ``name`` or ``schema.name`` (exact first, then case-insensitive).

    Raises:
        NotFound: with close names when there are any.
    """
    wanted = name.strip()
    exact = [t for t in schema.tables if t.key == wanted or t.name == wanted]
    if len(exact) == 1:
        return exact[0]
    folded = [t for t in schema.tables if t.key.lower() == wanted.lower() or t.name.lower() == wanted.lower()]
    if len(folded) == 1:
        return folded[0]
    candidates = exact or folded
    if len(candidates) > 1:
        if schema.default_schema:
            preferred = [t for t in candidates if t.schema == schema.default_schema]
            if len(preferred) == 1:
                return preferred[0]
        raise NotFound(
            f"table name {wanted!r} is ambiguous: qualify it as one of {', '.join(t.key for t in candidates[:10])}"
        )
    close = suggest(wanted.split(".")[-1], sorted({t.name for t in schema.tables}))
    keys = [t.key for n in close for t in schema.tables if t.name == n][:5]  # closest first
    hint = f"; did you mean {', '.join(keys)}?" if keys else ""
    raise NotFound(f"no table or view named {wanted!r} in the snapshot{hint}")


def describe_table(schema: SchemaModel, table: str) -> tuple[Table, list[str], str]:
    """One table of the snapshot: the table, what references it, and its DDL as prompts show it.

    Raises:
        NotFound: no such table (with close names).
    """
    found = find_table(schema, table)
    qualify = len({t.schema for t in schema.tables}) > 1
    return found, referenced_by(schema, found), render_table(found, schema.dialect, qualify=qualify)


def search_tables(
    index: RetrievalIndex, query: str, *, limit: int, offset: int, examples: list[Example] | None = None
) -> tuple[list[tuple[Table, float, str]], int]:
    """Tables ranked for a query (the drafting retrieval); a page and the total.

    Partitions are folded into their parent: one hit whose reason ends with "partitioned by ...".

    Raises:
        InvalidInput: a blank query.
    """
    if not query or not query.strip():
        raise InvalidInput("the search query is blank: give words such as 'orders customer'")
    ranked = index.rank(query, examples)
    page = []
    for key, score, reason in ranked[offset : offset + limit]:
        doc = index.by_key[key]
        page.append((doc.table, score, f"{reason}; {doc.note}" if doc.note else reason))
    return page, len(ranked)
