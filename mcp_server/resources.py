"""Resources: each connection's schema (markdown and JSON), each table, each draft.

They are templates; resources/list also names each connection's schema as a concrete resource
(:func:`listed`, for the caller it is asked by), so a client that only lists finds them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp_types import Resource

from core.domain.schema import SchemaModel, Table
from core.domain.snapshots import SnapshotInfo
from core.errors import NotFound, SqldraftError
from mcp_server.auth import caller
from mcp_server.errors import explain
from mcp_server.models import DraftOutcome
from mcp_server.state import AppState, state

F = TypeVar("F", bound=Callable[..., Any])
SUMMARY_OVER = 150
"""A schema with more tables than this is summarized; search_schema and describe_table give the rest."""
RESOURCE_LIMIT = 262_144
"""A schema resource longer than this (characters) is summarized too; a table's DDL is cut there."""
LISTED = 1000
"""How many table names a summary lists."""
TABLE_URI = "sqldraft://connections/{connection}/tables/{table}"


def _summary(tables: Sequence[Table]) -> dict[str, Any]:
    per_schema: dict[str, int] = {}
    for t in tables:
        per_schema[t.schema or "main"] = per_schema.get(t.schema or "main", 0) + 1
    return {"tables_per_schema": dict(sorted(per_schema.items())), "tables": sorted(t.key for t in tables)[:LISTED]}


def _markdown(connection: str, info: SnapshotInfo, schema: SchemaModel, docs: list[str] | None) -> str:
    """The schema as DDL (``docs``: each table's, as the drafting prompt shows it), or its summary when large."""
    head = (
        f"# {connection} ({schema.dialect.value} {schema.server_version})\n\nSnapshot #{info.id}, "
        f"{len(schema.tables)} tables and views, confirmed {info.last_seen_at:%Y-%m-%d %H:%M} UTC.\n"
    )
    if docs is not None:
        body = head + "\n```sql\n" + "\n\n".join(docs) + "\n```\n"
        if len(body) <= RESOURCE_LIMIT:
            return body
    summary = _summary(schema.tables)
    return (
        head + f"\nThis schema is large, so it is summarized here: use the search_schema tool to find "
        f"tables and describe_table (or {TABLE_URI.format(connection=connection, table='NAME')}) to read one."
        "\n\nTables per schema: "
        + ", ".join(f"{k} {v}" for k, v in summary["tables_per_schema"].items())
        + f"\n\nThe first {len(summary['tables'])} tables: "
        + ", ".join(f"`{t}`" for t in summary["tables"])
        + "\n"
    )


def _json(connection: str, info: SnapshotInfo, schema: SchemaModel) -> str:
    """The schema as JSON, or its summary when large."""
    if len(schema.tables) <= SUMMARY_OVER:
        whole = json.dumps(
            {"connection": connection, "snapshot": info.to_dict(), "summarized": False, "schema": schema.canonical()}
        )
        if len(whole) <= RESOURCE_LIMIT:
            return whole
    return json.dumps(
        {
            "connection": connection,
            "snapshot": info.to_dict(),
            "summarized": True,
            "table_count": len(schema.tables),
            **_summary(schema.tables),
            "hint": f"read one table at {TABLE_URI} or with describe_table; find tables with search_schema",
        }
    )


def _guard(fn: F) -> F:
    """Core errors become resource errors with the same one-line message."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NotFound as exc:
            raise ResourceNotFoundError(explain(exc)) from None
        except SqldraftError as exc:
            raise ResourceError(explain(exc)) from None

    return wrapper  # type: ignore[return-value]


def listed(app: AppState) -> list[Resource]:
    """The schema of each connection that has a snapshot, as concrete resources (none without a token)."""
    try:
        caller(app.default_identity)
    except Exception:
        return []
    out = []
    for p in app.copilot.list_connections():
        if p.table_count is None:
            continue
        what = f"{p.name}: {p.dialect.value}, {p.table_count} tables and views"
        for suffix, mime, kind in (
            ("schema.md", "text/markdown", "DDL-like markdown"),
            ("schema.json", "application/json", "JSON"),
        ):
            out.append(
                Resource(
                    uri=f"sqldraft://connections/{p.name}/{suffix}",
                    name=f"{p.name}-{suffix.replace('.', '-')}",
                    mime_type=mime,
                    description=f"The current schema of {what}, as {kind} (summarized when large).",
                )
            )
    return out


def register(server: MCPServer[AppState]) -> None:
    @server.resource(
        "sqldraft://connections/{connection}/schema.md",
        mime_type="text/markdown",
        name="schema-markdown",
        description="A connection's current schema as DDL-like markdown (summarized when it is large).",
    )
    @_guard
    def schema_markdown(connection: str, ctx: Context) -> str:
        app = state(ctx)
        caller(app.default_identity)
        info, schema = app.copilot.current_schema(connection)
        small = len(schema.tables) <= SUMMARY_OVER
        docs = [d.text for d in app.copilot.retrieval_index(connection).docs] if small else None
        return _markdown(connection, info, schema, docs)

    @server.resource(
        "sqldraft://connections/{connection}/schema.json",
        mime_type="application/json",
        name="schema-json",
        description="A connection's current schema as JSON (summarized when large).",
    )
    @_guard
    def schema_json(connection: str, ctx: Context) -> str:
        app = state(ctx)
        caller(app.default_identity)
        info, schema = app.copilot.current_schema(connection)
        return _json(connection, info, schema)

    @server.resource(
        TABLE_URI,
        mime_type="text/markdown",
        name="table",
        description="One table or view of a connection's schema, as DDL with its comments and indexes.",
    )
    @_guard
    def table(connection: str, table: str, ctx: Context) -> str:
        app = state(ctx)
        caller(app.default_identity)
        _, t, refs, ddl = app.copilot.describe_table(connection, table)
        if len(ddl) > RESOURCE_LIMIT:
            ddl = ddl[:RESOURCE_LIMIT] + f"\n-- (cut short: describe_table pages all {len(t.columns)} columns)"
        extra = f"\n\nReferenced by: {', '.join(refs[:200])}" if refs else ""
        return f"# {t.key}\n\n```sql\n{ddl}\n```{extra}\n"

    @server.resource(
        "sqldraft://drafts/{draft_id}",
        mime_type="application/json",
        name="draft",
        description="A draft with its script, findings and review state.",
    )
    @_guard
    def draft(draft_id: str, ctx: Context) -> str:
        app = state(ctx)
        caller(app.default_identity)
        return DraftOutcome.of(app.copilot.get_draft(draft_id)).model_dump_json(indent=2)
