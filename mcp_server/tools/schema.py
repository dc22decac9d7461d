"""Looking at schemas: list_connections, refresh_snapshot, search_schema, describe_table."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from mcp_server.auth import caller, require
from mcp_server.cursors import decode_cursor, next_cursor
from mcp_server.errors import errors_as_tool_errors
from mcp_server.long_calls import Relay, in_thread
from mcp_server.models import ConnectionList, RefreshOutcome, SchemaSearchResult, TableDescription
from mcp_server.state import AppState, state
from mcp_server.tools.common import READ_ONLY, Connection

COLUMN_PAGE = 100


def register(server: MCPServer[AppState]) -> None:
    @server.tool(annotations=READ_ONLY)
    @errors_as_tool_errors
    def list_connections(ctx: Context) -> ConnectionList:
        """List the databases sqldraft can draft SQL for, with the age of each schema snapshot, and who drafts.

        Start here. Then find tables with search_schema and read them with describe_table before draft_sql.
        """
        app = state(ctx)
        caller(app.default_identity)
        copilot = app.copilot
        return ConnectionList.of(copilot.list_connections(), copilot.settings.default_refresh, copilot.llm_status())

    @server.tool(
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=True)
    )
    @errors_as_tool_errors
    async def refresh_snapshot(connection: Connection, ctx: Context) -> RefreshOutcome:
        """Read a connection's schema from the database again now (catalog queries only, read-only session).

        A new snapshot is stored only when the schema changed; progress is reported per step. Needs the
        'draft' scope.
        """
        app = state(ctx)
        require(caller(app.default_identity), "draft")
        relay = Relay(ctx, "sqldraft.refresh")
        result = await in_thread(app.copilot.refresh_snapshot, connection, trigger="mcp", progress=relay.steps)
        relay.close()
        if result.status == "error":
            raise ToolError(
                f"refreshing {connection!r} failed: {result.error}; the last snapshot (if any) stays in use"
            )
        return RefreshOutcome.of(connection, result)

    @server.tool(annotations=READ_ONLY)
    @errors_as_tool_errors
    def search_schema(
        connection: Connection,
        query: Annotated[
            str, Field(description="Words about the data you need, e.g. 'orders per customer'.", max_length=500)
        ],
        ctx: Context,
        limit: Annotated[int, Field(description="Tables per page, 1 to 50.", ge=1, le=50)] = 10,
        cursor: Annotated[str | None, Field(description="next_cursor of the previous page, to continue.")] = None,
    ) -> SchemaSearchResult:
        """Step 1 of drafting: find the tables relevant to a question in a connection's schema snapshot.

        Ranks tables by their names, columns and comments, and adds the tables that join them (a bridge
        table's reason says which two). A partitioned table is one hit ("partitioned by ..."): query the
        parent, not its partitions. Then call describe_table on the ones that matter, then draft_sql.
        """
        app = state(ctx)
        caller(app.default_identity)
        key = f"{connection}|{query}"
        offset = decode_cursor(cursor, key)
        info, page, total = app.copilot.search_schema(connection, query, limit=limit, offset=offset)
        more = next_cursor(offset, limit, total, key)
        return SchemaSearchResult.of(connection, query, info, page, total, next_cursor=more)

    @server.tool(annotations=READ_ONLY)
    @errors_as_tool_errors
    def describe_table(
        connection: Connection,
        table: Annotated[
            str,
            Field(
                description="A table or view: name or schema.name (search_schema gives them).",
                min_length=1,
                max_length=300,
            ),
        ],
        ctx: Context,
        cursor: Annotated[str | None, Field(description="next_cursor of the previous call, for more columns.")] = None,
        include_ddl: Annotated[bool, Field(description="Also give the table as CREATE TABLE text.")] = False,
    ) -> TableDescription:
        """Step 2 of drafting: one table's columns (types, nullability, defaults, comments, enum labels),
        keys, indexes with their method, foreign keys out and the tables that reference it, and its row
        estimate. Null and default fields are left out (a column is nullable unless it says otherwise).
        An unknown name gets the closest names. At most 100 columns a call: pass next_cursor back for the
        rest."""
        app = state(ctx)
        caller(app.default_identity)
        _, found, refs, ddl = app.copilot.describe_table(connection, table)
        key = f"{connection}|{found.key}"
        offset = decode_cursor(cursor, key)
        more = next_cursor(offset, COLUMN_PAGE, len(found.columns), key)
        page = slice(offset, offset + COLUMN_PAGE)
        shown = ddl if include_ddl else None
        return TableDescription.of(connection, found, refs, shown, columns=page, next_cursor=more)
