"""Resources: each connection's schema (markdown and JSON), each table, each draft.

All are templates: the list of connections is the list_connections tool (the SDK gives static
resources no request context, so they could not tell who is calling).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from core.errors import NotFound, SqldraftError
from mcp_server.auth import caller
from mcp_server.models import DraftOutcome
from mcp_server.tools import AppState, state

F = TypeVar("F", bound=Callable[..., Any])
SUMMARY_OVER = 150
"""A schema with more tables than this is summarized; search_schema and describe_table give the rest."""


def _guard(fn: F) -> F:
    """Core errors become resource errors with the same one-line message."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NotFound as exc:
            raise ResourceNotFoundError(str(exc)) from None
        except SqldraftError as exc:
            raise ResourceError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


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
        index = app.copilot.retrieval_index(connection)
        head = (
            f"# {connection} ({schema.dialect.value} {schema.server_version})\n\nSnapshot #{info.id}, "
            f"{len(schema.tables)} tables and views, confirmed {info.last_seen_at:%Y-%m-%d %H:%M} UTC.\n"
        )
        if len(schema.tables) > SUMMARY_OVER:
            by_schema: dict[str, int] = {}
            for t in schema.tables:
                by_schema[t.schema or "main"] = by_schema.get(t.schema or "main", 0) + 1
            names = ", ".join(f"`{t.key}`" for t in sorted(schema.tables, key=lambda t: t.key)[:SUMMARY_OVER])
            return (
                head + f"\nThis schema is large, so it is summarized here: use the search_schema tool to find "
                f"tables and describe_table (or sqldraft://connections/{connection}/tables/NAME) to read one.\n\n"
                "Tables per schema: "
                + ", ".join(f"{k} {v}" for k, v in sorted(by_schema.items()))
                + f"\n\nThe first {SUMMARY_OVER} tables: {names}\n"
            )
        return head + "\n```sql\n" + "\n\n".join(d.text for d in index.docs) + "\n```\n"

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
        if len(schema.tables) > SUMMARY_OVER:
            return json.dumps(
                {
                    "connection": connection,
                    "snapshot": info.to_dict(),
                    "summarized": True,
                    "table_count": len(schema.tables),
                    "tables": sorted(t.key for t in schema.tables)[:1000],
                    "hint": "read one table at sqldraft://connections/{connection}/tables/{table}",
                }
            )
        return json.dumps(
            {"connection": connection, "snapshot": info.to_dict(), "summarized": False, "schema": schema.canonical()}
        )

    @server.resource(
        "sqldraft://connections/{connection}/tables/{table}",
        mime_type="text/markdown",
        name="table",
        description="One table or view of a connection's schema, as DDL with its comments and indexes.",
    )
    @_guard
    def table(connection: str, table: str, ctx: Context) -> str:
        app = state(ctx)
        caller(app.default_identity)
        _, t, refs, ddl = app.copilot.describe_table(connection, table)
        extra = f"\n\nReferenced by: {', '.join(refs)}" if refs else ""
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
