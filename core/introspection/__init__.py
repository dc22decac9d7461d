"""Read a live database's schema into a :class:`~core.domain.schema.SchemaModel`.

Each dialect reads its catalog in a handful of set-based queries (never one query per table), so a
snapshot of thousands of tables costs about what the catalog queries themselves cost.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable

from sqlalchemy.engine import Connection

from core.dialects import load_entry, profile
from core.domain.schema import Dialect, SchemaModel

Progress = Callable[[str, int, int], None]
"""progress(phase, step, steps)."""

Introspector = Callable[[Connection, list[str], list[str], Progress], SchemaModel]
"""What a dialect profile's ``introspection`` entry names: (conn, include, exclude, progress) -> model."""


def no_progress(phase: str, step: int, steps: int) -> None:
    """The default progress callback: does nothing."""


def select_schemas(available: list[str], include: list[str], exclude: list[str]) -> list[str]:
    """Filter schema names by include/exclude glob patterns (``tmp_*``); include empty means all."""
    chosen = [s for s in available if not include or any(fnmatch.fnmatchcase(s, p) for p in include)]
    return [s for s in chosen if not any(fnmatch.fnmatchcase(s, p) for p in exclude)]


def introspect(
    conn: Connection,
    dialect: Dialect,
    *,
    include_schemas: list[str] | None = None,
    exclude_schemas: list[str] | None = None,
    progress: Progress = no_progress,
) -> SchemaModel:
    """Read the schema of the database behind ``conn`` with its dialect's introspection entry."""
    include, exclude = include_schemas or [], exclude_schemas or []
    read: Introspector = load_entry(profile(dialect).introspection)
    return read(conn, include, exclude, progress)
