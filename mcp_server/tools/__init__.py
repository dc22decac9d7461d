"""The tools, by concern; each module has register(server)."""

from __future__ import annotations

import base64
import functools
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from core.errors import SqldraftError
from core.incidents import report_incident
from core.service import Copilot
from mcp_server.auth import Identity
from mcp_server.errors import explain

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True)
class AppState:
    """What the lifespan builds once: the core, and who a call without a token is."""

    copilot: Copilot
    default_identity: Identity | None


def state(ctx: Context) -> AppState:
    return ctx.request_context.lifespan_context  # type: ignore[no-any-return]


def errors_as_tool_errors(fn: F) -> F:
    """Known errors become tool errors the model can act on; anything else an incident id (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ToolError:
            raise
        except SqldraftError as exc:
            raise ToolError(explain(exc)) from None
        except Exception as exc:
            incident = report_incident(log, exc, f"mcp tool {fn.__name__}")
            raise ToolError(
                f"unexpected error on the server (incident {incident}); the operator can look it up"
            ) from None

    wrapper.__doc__ = inspect.cleandoc(fn.__doc__ or "")  # the docstring is the tool's description
    return wrapper  # type: ignore[return-value]


def encode_cursor(offset: int, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "k": key}).encode()).decode()


def decode_cursor(cursor: str | None, key: str) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        offset, owner = int(data["o"]), data["k"]
    except (ValueError, KeyError, TypeError):
        raise ToolError("the cursor is not one this server gave out: call again without cursor") from None
    if owner != key or offset < 0:
        raise ToolError("the cursor belongs to another query: call again without cursor") from None
    return offset


def register(server: MCPServer[AppState]) -> None:
    from mcp_server.tools import drafting, review, schema

    schema.register(server)
    drafting.register(server)
    review.register(server)
