"""How a core error reads to the model: its message, then its hints as tools and their arguments."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError

from core.errors import Hint, SqldraftError
from core.incidents import report_incident

log = logging.getLogger("mcp_server.tools")
F = TypeVar("F", bound=Callable[..., Any])

HINTS: Mapping[Hint, str] = {
    Hint.REFRESH_SNAPSHOT: "call refresh_snapshot with connection {arg!r}",
    Hint.ADD_CONNECTION: "no tool adds one: the server's operator adds connections (`sqldraft connections add`)",
    Hint.LIST_DRAFTS: "list_history shows recent drafts",
    Hint.LIST_EXAMPLES: "no tool lists them: the server's operator can (`sqldraft examples list`)",
    Hint.USE_FORCE: "no tool removes connections: the server's operator can remove it anyway (the drafts are kept)",
    Hint.GIVE_DIALECT: "pass connection, or dialect to check syntax and risk without one",
    Hint.OMIT_DIALECT: "leave dialect out, or drop connection to check in another dialect",
    Hint.GENERATE_KEY: "the server's operator generates one with `sqldraft keys generate`",
    Hint.UPGRADE_STORE: "the server's operator upgrades it with `sqldraft init`",
    Hint.FORCE_INTO_EXISTING: "the server's operator decides with `sqldraft init --force-into-existing`",
    Hint.WAIT: "call again in {arg}",
    Hint.ROTATE_KEYS: "the server's operator rotates keys with `sqldraft keys rotate`",
    Hint.ALLOW_INVALID: "call review_draft again with allow_invalid true to save it anyway",
    Hint.REPAIR_DRAFT: "call repair_draft with draft_id {arg} for a corrected script",
}
"""Each hint a core error carries, as a tool call where one exists, else what the operator does."""


def explain(exc: SqldraftError) -> str:
    """A core error as a tool error, resource error or startup message says it."""
    return exc.render(HINTS)


def errors_as_tool_errors(fn: F) -> F:
    """Known errors become tool errors the model can act on; anything else an incident id (no traceback)."""

    def translate(exc: Exception) -> ToolError:
        if isinstance(exc, ToolError):
            return exc
        if isinstance(exc, SqldraftError):
            return ToolError(explain(exc))
        incident = report_incident(log, exc, f"mcp tool {fn.__name__}")
        return ToolError(f"unexpected error on the server (incident {incident}); the operator can look it up")

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def waiter(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                raise translate(exc) from None

        waiter.__doc__ = inspect.cleandoc(fn.__doc__ or "")
        return waiter  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise translate(exc) from None

    wrapper.__doc__ = inspect.cleandoc(fn.__doc__ or "")  # the docstring is the tool's description
    return wrapper  # type: ignore[return-value]
