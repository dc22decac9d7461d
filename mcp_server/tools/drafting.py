"""Drafting and checking SQL: draft_sql, validate_sql, get_draft."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from mcp_server.auth import caller, require
from mcp_server.errors import errors_as_tool_errors
from mcp_server.models import DraftOutcome, ValidationOutcome
from mcp_server.state import AppState, state
from mcp_server.tools.common import READ_ONLY, Connection, Mode


def register(server: MCPServer[AppState]) -> None:
    @server.tool(
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=True)
    )
    @errors_as_tool_errors
    def draft_sql(
        connection: Connection,
        request: Annotated[
            str, Field(description="What the SQL should do, in plain language (at most 4,000 characters).")
        ],
        ctx: Context,
        mode: Mode = "query",
    ) -> DraftOutcome:
        """Step 3: draft a SQL script for a plain-language request against the connection's real schema.

        sqldraft retrieves the relevant tables, drafts with its model, validates the script (syntax, schema,
        performance, risk) and repairs it. It writes only to sqldraft's own store (the draft record) and
        never connects to or changes the target database; nothing runs. After you change the returned SQL,
        call validate_sql. A person reviews the draft before anyone runs it (Slack, `sqldraft review`, or
        review_draft with a review-scoped token). Needs the 'draft' scope.
        """
        app = state(ctx)
        principal = require(caller(app.default_identity), "draft")
        draft = app.copilot.draft(connection, request, mode=mode, requester=principal.id)
        return DraftOutcome.of(draft)

    @server.tool(annotations=READ_ONLY)
    @errors_as_tool_errors
    def validate_sql(
        sql: Annotated[str, Field(description="The SQL script to check (one or more statements).")],
        ctx: Context,
        connection: Annotated[
            str | None,
            Field(description="Check names against this connection's schema snapshot (recommended).", max_length=63),
        ] = None,
        dialect: Annotated[
            Literal["postgresql", "mysql", "sqlite"] | None,
            Field(description="Instead of a connection: check syntax and risk in this dialect only."),
        ] = None,
        mode: Mode = "query",
    ) -> ValidationOutcome:
        """Check SQL without running it: syntax, unknown tables and columns, performance and risk findings,
        with line and column and a suggested fix. Call it after every change you make to drafted SQL.
        status 'fail' means at least one error."""
        app = state(ctx)
        caller(app.default_identity)
        if (connection is None) == (dialect is None):
            raise ToolError(
                "pass connection (recommended: names are checked too) or dialect (syntax and risk only), not both"
                if connection
                else "pass connection (recommended: names are checked too) or dialect (syntax and risk only)"
            )
        return ValidationOutcome.of(app.copilot.validate(sql, connection=connection, dialect=dialect, mode=mode))

    @server.tool(annotations=READ_ONLY)
    @errors_as_tool_errors
    def get_draft(
        draft_id: Annotated[
            str, Field(description="The draft id draft_sql returned (d + 9 letters/digits).", max_length=40)
        ],
        ctx: Context,
    ) -> DraftOutcome:
        """A draft with its script, findings and review state (approved, rejected, edited, or pending)."""
        app = state(ctx)
        caller(app.default_identity)
        return DraftOutcome.of(app.copilot.get_draft(draft_id))
