"""completion/complete and logging/setLevel: names an assistant can complete, and how much it is told.

Completions: ``connection`` (connection names), ``table`` (the tables of the connection named in the
context, or of the only connection) and ``draft_id`` (recent drafts), whatever the reference (the
resource templates take these arguments, and the tools take them by the same names). Any other
argument, or a caller without a token where one is needed, gets an empty list, never an error.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CompleteRequestParams, CompleteResult, Completion, EmptyResult, SetLevelRequestParams

from core.domain.history import HistoryQuery
from core.errors import SqldraftError
from mcp_server.auth import caller
from mcp_server.long_calls import set_level
from mcp_server.state import AppState

MAX_VALUES = 100
"""The protocol's limit on the values of one completion."""
RECENT_DRAFTS = 100


def register(server: MCPServer[AppState]) -> None:
    low = server._lowlevel_server  # the decorator hides the request context; the handler needs the lifespan's

    async def complete(ctx: object, params: CompleteRequestParams) -> CompleteResult:
        app: AppState = ctx.lifespan_context  # type: ignore[attr-defined]
        given = dict((params.context.arguments or {}) if params.context else {})
        values = await anyio.to_thread.run_sync(lambda: candidates(app, params.argument.name, given))
        wanted = params.argument.value.lower()
        hits = [v for v in values if v.lower().startswith(wanted)]
        return CompleteResult(
            completion=Completion(values=hits[:MAX_VALUES], total=len(hits), has_more=len(hits) > MAX_VALUES)
        )

    async def set_logging_level(ctx: object, params: SetLevelRequestParams) -> EmptyResult:
        set_level(ctx.session, params.level)  # type: ignore[attr-defined]
        return EmptyResult()

    low.add_request_handler("completion/complete", CompleteRequestParams, complete)
    low.add_request_handler("logging/setLevel", SetLevelRequestParams, set_logging_level)


def candidates(app: AppState, argument: str, given: dict[str, str]) -> list[str]:
    """Every value ``argument`` may take for this caller (unsorted by relevance: names in order)."""
    source = SOURCES.get(argument)
    if source is None:
        return []
    try:
        caller(app.default_identity)
        return source(app, given)
    except (SqldraftError, ToolError):  # no token, no snapshot, unknown connection: nothing to offer
        return []


def _connections(app: AppState, given: dict[str, str]) -> list[str]:
    return sorted(p.name for p in app.copilot.list_connections())


def _tables(app: AppState, given: dict[str, str]) -> list[str]:
    connection = given.get("connection")
    if not connection:
        names = _connections(app, given)
        if len(names) != 1:
            return []
        connection = names[0]
    _, schema = app.copilot.current_schema(connection)
    return sorted({t.key for t in schema.tables} | {t.name for t in schema.tables})


def _drafts(app: AppState, given: dict[str, str]) -> list[str]:
    page = app.copilot.history(HistoryQuery(page_size=RECENT_DRAFTS))
    return [row.id for row in page.items if not given.get("connection") or row.connection == given["connection"]]


SOURCES: dict[str, Callable[[AppState, dict[str, str]], list[str]]] = {
    "connection": _connections,
    "table": _tables,
    "draft_id": _drafts,
}
