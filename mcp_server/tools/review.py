"""History and the human decision: list_history, review_draft."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from core.domain.history import HistoryFilters, HistoryQuery
from core.domain.review import OverrideRequired
from mcp_server.auth import caller, require
from mcp_server.errors import errors_as_tool_errors
from mcp_server.models import HistoryOutcome, ReviewOutcome
from mcp_server.state import AppState, state
from mcp_server.tools.common import READ_ONLY


def register(server: MCPServer[AppState]) -> None:
    @server.tool(annotations=READ_ONLY)
    @errors_as_tool_errors
    def list_history(
        ctx: Context,
        connection: Annotated[str | None, Field(description="Only drafts on this connection.", max_length=63)] = None,
        status: Annotated[
            Literal["queued", "running", "completed", "failed", "canceled", "clarification_needed"] | None,
            Field(description="Only drafts in this state."),
        ] = None,
        review_status: Annotated[
            Literal["pending", "approved", "rejected", "edited"] | None,
            Field(description="Only drafts with this decision."),
        ] = None,
        risk_level: Annotated[
            Literal["none", "low", "medium", "high", "critical"] | None,
            Field(description="Only drafts at this risk level."),
        ] = None,
        mine: Annotated[bool, Field(description="Only drafts this caller requested.")] = False,
        text: Annotated[str | None, Field(description="Text in the request.", max_length=200)] = None,
        sort: Annotated[
            Literal["created_at", "last_reviewed_at", "risk_count"], Field(description="Sort key.")
        ] = "created_at",
        order: Annotated[Literal["asc", "desc"], Field(description="Sort order.")] = "desc",
        page: Annotated[int, Field(description="Page number, from 1.", ge=1)] = 1,
        page_size: Annotated[int, Field(description="Drafts per page, 1 to 100.", ge=1, le=100)] = 20,
    ) -> HistoryOutcome:
        """Past drafts with their state, lint status, risk and review decision, newest first by default."""
        app = state(ctx)
        who = caller(app.default_identity)
        filters = HistoryFilters(
            connection=connection,
            status=status,
            review_status=review_status,
            risk_level=risk_level,
            text=text,
            requester=who.principal if mine else None,
        )
        query = HistoryQuery(filters=filters, sort=sort, order=order, page=page, page_size=page_size)
        return HistoryOutcome.of(app.copilot.history(query))

    @server.tool(
        annotations=ToolAnnotations(
            readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False
        )
    )
    @errors_as_tool_errors
    def review_draft(
        draft_id: Annotated[str, Field(description="The draft to decide on.", max_length=40)],
        decision: Annotated[
            Literal["approved", "rejected", "edited"],
            Field(
                description="approved: the generated script is fit to run as written; edited: fit to run as "
                "final_script; rejected: not to be run. sqldraft records the decision and runs nothing."
            ),
        ],
        ctx: Context,
        note: Annotated[
            str | None,
            Field(description="Why (kept in the trail; a rejection's note teaches later drafts).", max_length=2000),
        ] = None,
        final_script: Annotated[
            str | None,
            Field(description="For 'edited': the script fit to run instead (it is re-validated and diffed)."),
        ] = None,
        allow_invalid: Annotated[
            bool,
            Field(description="For 'edited': save final_script even if it has error findings (refused otherwise)."),
        ] = False,
        override_note: Annotated[
            str | None,
            Field(
                description="To approve a script that failed validation or has critical risk: why it is fit to "
                "run anyway (required for such an approval; recorded in the trail as an override).",
                max_length=2000,
            ),
        ] = None,
    ) -> ReviewOutcome:
        """Record a person's decision on a draft. Needs a token with the 'review' scope, and follows the
        connection's approval policy: an assistant may not approve or edit a draft it requested itself. A script
        that failed validation or has critical risk is approved only with override_note."""
        app = state(ctx)
        principal = require(caller(app.default_identity), "review")
        override = override_note is not None
        try:
            return ReviewOutcome.of(app.copilot.review(
                draft_id, decision, principal, note=override_note if override else note, final_script=final_script,
                allow_invalid=allow_invalid, override=override,
            ))  # fmt: skip
        except OverrideRequired as exc:
            raise ToolError(
                f"{exc}; call review_draft again with override_note saying why to approve it anyway"
            ) from None
