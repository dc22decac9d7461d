"""Running approved reads and repairing from their errors: run_query, repair_draft."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from mcp_server.auth import caller, require
from mcp_server.errors import errors_as_tool_errors
from mcp_server.long_calls import draft_within, in_thread
from mcp_server.models import DraftOutcome, RunOutcome
from mcp_server.state import AppState, state

MAX_BYTES = 256_000
"""Bytes of cells one run_query answer carries at most (an assistant's context is small); the rest is cut."""
MAX_LIMIT = 1000


def register(server: MCPServer[AppState]) -> None:
    @server.tool(
        annotations=ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=True)
    )
    @errors_as_tool_errors
    async def run_query(
        draft_id: Annotated[str, Field(description="The approved read-only draft to run.", max_length=40)],
        ctx: Context,
        limit: Annotated[
            int | None, Field(description=f"Rows to return at most, 1 to {MAX_LIMIT} (default 100).")
        ] = None,
    ) -> RunOutcome:
        """Run an approved read (one SELECT that validated with at most low risk) on its database and return
        the rows, in a read-only transaction with row, byte and time caps, always rolled back. DML and DDL are
        never run. When the database rejects the read, repair_draft asks for a corrected script. Needs a token
        with the 'run' scope (the 'draft' scope does not imply it)."""
        app = state(ctx)
        principal = require(caller(app.default_identity), "run")
        if limit is not None and limit > MAX_LIMIT:
            raise ToolError(f"limit {limit} is out of range: run_query returns 1 to {MAX_LIMIT} rows")
        result = await in_thread(app.copilot.run, draft_id, principal=principal.id, limit=limit, max_bytes=MAX_BYTES)
        return RunOutcome.of(result)

    @server.tool(
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=True)
    )
    @errors_as_tool_errors
    async def repair_draft(
        draft_id: Annotated[str, Field(description="The draft whose last run failed.", max_length=40)],
        ctx: Context,
    ) -> DraftOutcome:
        """Ask the model for a corrected script of a draft using the database error its last run met; the new
        script is a new revision that a person reviews again. Nothing runs. Needs the 'draft' scope."""
        app = state(ctx)
        principal = require(caller(app.default_identity), "draft")
        queued = await in_thread(app.copilot.request_repair, draft_id, principal=principal.id)
        return DraftOutcome.of(await draft_within(ctx, app.copilot, queued))
