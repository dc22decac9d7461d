"""The tools, by concern; each module has register(server)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from mcp_server.state import AppState
from mcp_server.tools import drafting, review, run, schema


def register(server: MCPServer[AppState]) -> None:
    schema.register(server)
    drafting.register(server)
    review.register(server)
    run.register(server)
