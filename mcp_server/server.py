"""sqldraft-mcp: sqldraft's operations as MCP tools and resources, over stdio or streamable HTTP."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE, TransportSecuritySettings
from mcp_types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from core.errors import ConfigurationError, SqldraftError
from core.service import Copilot
from mcp_server.auth import Identity, StaticTokenVerifier, TokenEntry, local_identity, parse_tokens
from mcp_server.tools import AppState

log = logging.getLogger("sqldraft.mcp")

INSTRUCTIONS = """sqldraft drafts SQL for a team's real databases and records a human review before anything runs.
Workflow: list_connections -> search_schema / describe_table -> draft_sql -> validate_sql after any change you
make to the SQL -> a person reviews the draft (in Slack, with `sqldraft review`, or review_draft with a
review-scoped token). sqldraft never executes drafted SQL and never changes the target database."""


class SqldraftMCP(MCPServer[AppState]):
    """MCPServer that refuses undeclared arguments and words argument errors as one line.

    The SDK silently drops arguments a tool does not declare, and reports a bad argument with
    pydantic's multi-line text and a link; an assistant acts better on one line naming the field.
    """

    _known: dict[str, set[str]] | None = None

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        if self._known is None:
            self._known = {t.name: set((t.input_schema or {}).get("properties", {})) for t in await self.list_tools()}
        allowed = self._known.get(name)
        unknown = sorted(set(arguments) - allowed) if allowed is not None else []
        if unknown:
            raise ToolError(
                f"Error executing tool {name}: unknown argument(s): {', '.join(unknown)}; "
                f"it takes {', '.join(sorted(allowed or ())) or 'none'}"
            )
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.__cause__.errors()
                )
                raise ToolError(f"Error executing tool {name}: invalid argument(s): {problems}") from None
            raise


def build_server(
    make_copilot: Callable[[], Copilot],
    *,
    default_identity: Identity | None,
    tokens: list[TokenEntry] | None = None,
    public_url: str = "http://127.0.0.1:8765",
    close_on_exit: bool = True,
) -> MCPServer[AppState]:
    """The MCP server; its typed lifespan builds the core once (``make_copilot``)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        copilot = make_copilot()
        try:
            yield AppState(copilot=copilot, default_identity=default_identity)
        finally:
            if close_on_exit:
                copilot.close()

    auth = None
    verifier = None
    if tokens:
        verifier = StaticTokenVerifier(tokens)
        # static tokens, not OAuth: no protected-resource metadata, so clients send their configured header
        # instead of starting an OAuth discovery this server cannot answer
        auth = AuthSettings(issuer_url=public_url, resource_server_url=None, validate_token_resource=False)
    server = SqldraftMCP(
        "sqldraft", instructions=INSTRUCTIONS, version=_version(), lifespan=lifespan, token_verifier=verifier, auth=auth
    )
    from mcp_server import resources, tools

    tools.register(server)
    resources.register(server)
    return server


def _version() -> str:
    from core import __version__

    return __version__


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_security(host: str, port: int, extra_hosts: str) -> TransportSecuritySettings:
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "127.0.0.1", "localhost"]
    hosts += [h.strip() for h in extra_hosts.split(",") if h.strip()]
    if not _loopback(host) and host not in ("0.0.0.0", "::"):
        hosts += [f"{host}:{port}", host]
    origins = [f"http://{h}" for h in hosts]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sqldraft-mcp", description="sqldraft as an MCP tool server.")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP: the address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="HTTP: the port (default 8765)")
    parser.add_argument("--scheduler", action="store_true", help="HTTP: also run the snapshot refresh scheduler")
    args = parser.parse_args(argv)
    if args.scheduler and args.transport == "stdio":
        sys.stderr.write("sqldraft-mcp: --scheduler needs --transport http (an editor's stdio server comes and goes)\n")
        return 2
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return _serve(args)
    except SqldraftError as exc:
        sys.stderr.write(f"sqldraft-mcp: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 0


def _serve(args: argparse.Namespace) -> int:
    from core.bootstrap import build_copilot
    from core.cli import load_settings

    settings = load_settings()
    logging.getLogger().setLevel(settings.log_level)
    build_copilot(settings).close()  # the store and the key are checked before the server starts
    if args.transport == "stdio":
        server = build_server(lambda: build_copilot(settings), default_identity=local_identity())
        server.run("stdio")
        return 0
    tokens = parse_tokens(settings.mcp_tokens.get_secret_value() if settings.mcp_tokens else None)
    if not tokens and not _loopback(args.host):
        raise ConfigurationError(
            f"refusing to serve MCP on {args.host} without tokens: set SQLDRAFT_MCP_TOKENS, or bind 127.0.0.1"
        )
    default = None if tokens else Identity("mcp:anonymous-local", frozenset({"draft"}))
    if default is not None:
        log.warning("no SQLDRAFT_MCP_TOKENS: local callers can draft without a token, and nobody can review")
    public = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    server = build_server(lambda: build_copilot(settings), default_identity=default, tokens=tokens, public_url=public)
    scheduler = None
    import uvicorn

    app = server.streamable_http_app(
        host=args.host,
        transport_security=transport_security(args.host, args.port, settings.mcp_allowed_hosts),
        # room for the largest SQL validate_sql accepts, so an oversized script is a tool error, not a 413
        max_request_body_size=max(DEFAULT_MAX_REQUEST_BODY_SIZE, 6 * settings.max_sql_chars + 65_536),
    )
    if args.scheduler:
        from core.scheduler import RefreshScheduler

        scheduler = RefreshScheduler(build_copilot(settings))
        scheduler.start()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        if scheduler is not None:
            scheduler.shutdown()
            scheduler.copilot.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
