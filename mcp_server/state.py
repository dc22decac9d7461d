"""What the server's lifespan builds once, and how a tool or resource reaches it."""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server.mcpserver import Context

from core.service import Copilot
from mcp_server.auth import Identity


@dataclass(slots=True)
class AppState:
    """What the lifespan builds once: the core, and who a call without a token is."""

    copilot: Copilot
    default_identity: Identity | None


def state(ctx: Context) -> AppState:
    return ctx.request_context.lifespan_context  # type: ignore[no-any-return]
