"""Partitions folded into their parent: one entry per partitioned table in search, retrieval and prompts.

A declarative partition (``PARTITION OF``) and an inheritance child (``INHERITS``) both record their
parent in ``Table.partition_of``; nested partitions fold into the topmost parent present in the model.

>>> from core.domain.schema import Dialect, SchemaModel, Table, TableKind
>>> parent = Table(None, "payment", TableKind.PARTITIONED_TABLE, partition_key="RANGE (payment_date)")
>>> kids = [Table(None, f"payment_p{i}", partition_of="payment") for i in (1, 2)]
>>> partition_note(parent, kids)
'partitioned by range (payment_date), 2 partitions (payment_p1, payment_p2)'
"""

from __future__ import annotations

from collections import defaultdict

from core.domain.schema import SchemaModel, Table

SHOWN = 3
"""Partition names a note lists before eliding the rest."""


def partition_roots(model: SchemaModel) -> dict[str, str]:
    """Each partition's key -> the key of the topmost parent present in the model (parents map to nothing)."""
    keys = {t.key for t in model.tables}
    parent = {t.key: t.partition_of for t in model.tables if t.partition_of and t.partition_of in keys}
    roots: dict[str, str] = {}
    for key in parent:
        seen = {key}
        root = parent[key]
        while root in parent and parent[root] not in seen:  # a cycle cannot happen in PostgreSQL; stop anyway
            seen.add(root)
            root = parent[root]
        if root != key:
            roots[key] = root
    return roots


def partitions_by_parent(model: SchemaModel, roots: dict[str, str] | None = None) -> dict[str, list[Table]]:
    """The topmost parent's key -> its partitions (all levels), by name."""
    roots = partition_roots(model) if roots is None else roots
    out: dict[str, list[Table]] = defaultdict(list)
    for table in model.tables:
        if table.key in roots:
            out[roots[table.key]].append(table)
    return {k: sorted(v, key=lambda t: t.key) for k, v in out.items()}


def partition_note(parent: Table, partitions: list[Table]) -> str:
    """``partitioned by range (payment_date), 6 partitions (a, b, c, ... f)`` for a folded parent."""
    if parent.partition_key:
        method, _, rest = parent.partition_key.partition(" ")
        how = f"partitioned by {method.lower()} {rest}".rstrip()
        noun = "partition" if len(partitions) == 1 else "partitions"
    else:
        how = "partitioned by inheritance"
        noun = "child table" if len(partitions) == 1 else "child tables"
    names = [t.name if t.schema == parent.schema else t.key for t in partitions]
    shown = ", ".join(names) if len(names) <= SHOWN + 1 else ", ".join(names[:SHOWN]) + f", ... {names[-1]}"
    return f"{how}, {len(partitions)} {noun} ({shown})" if names else f"{how}, no partitions yet"
