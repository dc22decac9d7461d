"""Looking at schemas: list_connections, refresh_snapshot, search_schema, describe_table."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from mcp_server.auth import caller, require
from mcp_server.models import (
    ColumnInfo,
    ConnectionInfo,
    ConnectionList,
    ForeignKeyInfo,
    IndexInfo,
    RefreshOutcome,
    SchemaSearchResult,
    TableDescription,
    TableHit,
)
from mcp_server.tools import AppState, decode_cursor, encode_cursor, errors_as_tool_errors, state

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
Connection = Annotated[
    str, Field(description="The connection's name, as list_connections shows it.", min_length=1, max_length=63)
]
COLUMN_PAGE = 100
DDL_LIMIT = 20_000
"""describe_table's DDL is cut at this many characters (the columns page through in full)."""


def register(server: MCPServer[AppState]) -> None:
    @server.tool(annotations=READ_ONLY)
    @errors_as_tool_errors
    def list_connections(ctx: Context) -> ConnectionList:
        """List the databases sqldraft can draft SQL for, with the age of each schema snapshot.

        Start here. Then find tables with search_schema and read them with describe_table before draft_sql.
        """
        app = state(ctx)
        caller(app.default_identity)
        default = app.copilot.settings.default_refresh
        return ConnectionList(
            connections=[
                ConnectionInfo(
                    name=p.name,
                    dialect=p.dialect.value,
                    tables=p.table_count,
                    snapshot_taken_at=p.snapshot_taken_at.isoformat() if p.snapshot_taken_at else None,
                    last_refresh_status=p.last_refresh.status if p.last_refresh else None,
                    last_refresh_error=p.last_refresh.error if p.last_refresh else None,
                    refresh_schedule=str(p.schedule(default)),
                )
                for p in app.copilot.list_connections()
            ]
        )

    @server.tool(
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=True)
    )
    @errors_as_tool_errors
    def refresh_snapshot(connection: Connection, ctx: Context) -> RefreshOutcome:
        """Read a connection's schema from the database again now (catalog queries only, read-only session).

        A new snapshot is stored only when the schema changed. Needs the 'draft' scope.
        """
        app = state(ctx)
        require(caller(app.default_identity), "draft")
        result = app.copilot.refresh_snapshot(connection, trigger="mcp")
        if result.status == "error":
            raise ToolError(
                f"refreshing {connection!r} failed: {result.error}; the last snapshot (if any) stays in use"
            )
        return RefreshOutcome(
            connection=connection,
            status=result.status,
            tables=result.snapshot.table_count if result.snapshot else None,
            duration_ms=result.duration_ms,
            error=result.error,
            changes=result.diff.summary_lines(limit=40) if result.diff else [],
        )

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

        Ranks tables by their names, columns and comments, and adds the tables that join them. Then call
        describe_table on the ones that matter, then draft_sql.
        """
        app = state(ctx)
        caller(app.default_identity)
        key = f"{connection}|{query}"
        offset = decode_cursor(cursor, key)
        info, page, total = app.copilot.search_schema(connection, query, limit=limit, offset=offset)
        hits = [
            TableHit(
                table=t.key,
                kind=t.kind.value,
                comment=t.comment,
                score=round(score, 3),
                reason=reason,
                columns=[c.name for c in t.columns[:25]],
                column_count=len(t.columns),
            )
            for t, score, reason in page
        ]
        more = offset + limit < total
        return SchemaSearchResult(
            connection=connection,
            query=query,
            tables=hits,
            total_matches=total,
            next_cursor=encode_cursor(offset + limit, key) if more else None,
            snapshot_taken_at=info.last_seen_at.isoformat(),
        )

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
    ) -> TableDescription:
        """Step 2 of drafting: one table's columns (types, nullability, defaults, comments, enum labels),
        keys, indexes and what references it. An unknown name gets the closest names. At most 100 columns
        a call: pass next_cursor back for the rest (the DDL comes with the first page)."""
        app = state(ctx)
        caller(app.default_identity)
        _, t, refs, ddl = app.copilot.describe_table(connection, table)
        key = f"{connection}|{t.key}"
        offset = decode_cursor(cursor, key)
        cols = t.columns[offset : offset + COLUMN_PAGE]
        more = offset + COLUMN_PAGE < len(t.columns)
        return TableDescription(
            connection=connection,
            table=t.key,
            kind=t.kind.value,
            comment=t.comment,
            row_estimate=t.row_estimate,
            columns=[
                ColumnInfo(
                    name=c.name,
                    type=c.type,
                    nullable=c.nullable,
                    default=c.default,
                    comment=c.comment,
                    identity=c.identity,
                    generated=c.generated,
                    enum_labels=c.enum_labels,
                )
                for c in cols
            ],
            total_columns=len(t.columns),
            next_cursor=encode_cursor(offset + COLUMN_PAGE, key) if more else None,
            primary_key=t.primary_key,
            foreign_keys=[
                ForeignKeyInfo(columns=fk.columns, references_table=fk.ref_key, references_columns=fk.ref_columns)
                for fk in t.foreign_keys
            ],
            referenced_by=refs[:100],
            indexes=[IndexInfo(name=i.name, columns=i.columns, unique=i.unique) for i in t.indexes[:50]],
            ddl=None
            if offset
            else ddl
            if len(ddl) <= DDL_LIMIT
            else ddl[:DDL_LIMIT] + "\n-- (cut short: page the columns)",
        )
