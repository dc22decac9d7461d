"""Drafting and checking SQL: draft_sql, submit_sql, validate_sql, get_draft."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from mcp_server.auth import caller, require
from mcp_server.errors import errors_as_tool_errors
from mcp_server.long_calls import draft_within, in_thread
from mcp_server.models import DraftOutcome, SubmitOutcome, ValidationOutcome
from mcp_server.state import AppState, state
from mcp_server.tools.common import READ_ONLY, Connection, Mode


def register(server: MCPServer[AppState]) -> None:
    @server.tool(
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=True)
    )
    @errors_as_tool_errors
    async def draft_sql(
        connection: Connection,
        request: Annotated[
            str, Field(description="What the SQL should do, in plain language (at most 4,000 characters).")
        ],
        ctx: Context,
        mode: Mode = "query",
    ) -> DraftOutcome:
        """Step 3: draft a SQL script for a plain-language request against the connection's real schema.

        sqldraft retrieves the relevant tables, drafts with its model, validates the script (syntax, schema,
        performance, risk) and repairs it, reporting progress as it goes. It writes only to sqldraft's own
        store (the draft record) and never connects to or changes the target database; nothing runs. A slow
        model: the answer comes within 25 s with status 'running'; call get_draft with its id later. After
        you change the returned SQL, call validate_sql. A person reviews the draft before anyone runs it
        (Slack, `sqldraft review`, or review_draft with a review-scoped token). Needs the 'draft' scope.
        """
        app = state(ctx)
        principal = require(caller(app.default_identity), "draft")
        draft_id = await in_thread(app.copilot.create_draft, connection, request, mode=mode, requester=principal.id)
        return DraftOutcome.of(await draft_within(ctx, app.copilot, draft_id))

    @server.tool(
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=True)
    )
    @errors_as_tool_errors
    async def submit_sql(
        connection: Connection,
        sql: Annotated[str, Field(description="The SQL script you wrote, to be reviewed by a person.")],
        ctx: Context,
        mode: Mode = "query",
        purpose: Annotated[
            str | None, Field(description="What the script is for, in plain language (shown to the reviewer).")
        ] = None,
    ) -> SubmitOutcome:
        """Put SQL you wrote up for review: sqldraft validates it against the connection's snapshot and asks a
        person to review it (in the connection's Slack review channel when one is configured). Nothing runs
        and the target database is not touched. Needs the 'draft' scope; you cannot approve it yourself."""
        app = state(ctx)
        principal = require(caller(app.default_identity), "draft")
        submit = app.copilot.submit_sql
        return SubmitOutcome.of(
            await in_thread(submit, connection, sql, mode=mode, purpose=purpose, requester=principal.id)
        )

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
        who = caller(app.default_identity)
        if (connection is None) == (dialect is None):
            raise ToolError(
                "pass connection (recommended: names are checked too) or dialect (syntax and risk only), not both"
                if connection
                else "pass connection (recommended: names are checked too) or dialect (syntax and risk only)"
            )
        checked = app.copilot.validate(sql, connection=connection, dialect=dialect, mode=mode, principal=who.principal)
        return ValidationOutcome.of(checked)

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
