"""sqldraft-mcp: sqldraft's operations as MCP tools and resources, over stdio or streamable HTTP."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import logging
import socket
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE, TransportSecuritySettings
from mcp_types import (
    CallToolResult,
    InputRequiredResult,
    ListResourcesResult,
    PaginatedRequestParams,
    TextContent,
)
from pydantic import ValidationError

from core.errors import ConfigurationError, SqldraftError
from core.service import Copilot
from core.settings import load_settings
from mcp_server.auth import Identity, StaticTokenVerifier, TokenEntry, local_identity, parse_tokens
from mcp_server.errors import explain
from mcp_server.http_edges import with_operations
from mcp_server.state import AppState

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

    async def _handle_list_resources(
        self, ctx: ServerRequestContext[AppState], params: PaginatedRequestParams | None
    ) -> ListResourcesResult:
        """The static resources (none) and each connection's schema, for this caller."""
        from mcp_server.resources import listed

        found = await anyio.to_thread.run_sync(listed, ctx.lifespan_context)
        return ListResourcesResult(resources=[*await self.list_resources(), *found])

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
            return _compact_text(await super().call_tool(name, arguments, context))
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.__cause__.errors()
                )
                raise ToolError(f"Error executing tool {name}: invalid argument(s): {problems}") from None
            raise


def _compact_text(result: CallToolResult | InputRequiredResult) -> CallToolResult | InputRequiredResult:
    """The text block as compact JSON: the SDK indents it, which costs an assistant a third more tokens."""
    if isinstance(result, CallToolResult) and result.structured_content is not None and not result.is_error:
        text = json.dumps(result.structured_content, ensure_ascii=False, separators=(",", ":"))
        return result.model_copy(update={"content": [TextContent(type="text", text=text)]})
    return result


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
        # sync tools run on AnyIO's worker threads; its default of 40 queues calls behind a few slow ones
        anyio.to_thread.current_default_thread_limiter().total_tokens = copilot.settings.mcp_workers
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
    from mcp_server import completions, resources, tools

    tools.register(server)
    resources.register(server)
    completions.register(server)
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


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _local_names() -> list[str]:
    """What clients may call this machine when the server binds every address."""
    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        with contextlib.suppress(OSError):
            names |= {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    return sorted(n for n in names if n)


def transport_security(host: str, port: int, extra_hosts: str) -> TransportSecuritySettings:
    """DNS-rebinding protection: the Host (and any Origin) must name this server.

    Accepted: loopback names, the bound address, for a wildcard bind this machine's names and
    addresses, and ``SQLDRAFT_MCP_ALLOWED_HOSTS``; each with and without the port, Origins over
    http and https.
    """
    names = ["127.0.0.1", "localhost", "::1"]
    if host in ("0.0.0.0", "::"):
        names += _local_names()
    elif not _loopback(host):
        names.append(host)
    hosts: list[str] = []
    for name in names:
        hosts += [_url_host(name), f"{_url_host(name)}:{port}"]
    hosts += [h.strip() for h in extra_hosts.split(",") if h.strip()]
    hosts = list(dict.fromkeys(hosts))
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sqldraft-mcp", description="sqldraft as an MCP tool server.")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP: the address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="HTTP: the port (default 8765)")
    parser.add_argument("--scheduler", action="store_true", help="HTTP: also run the snapshot refresh scheduler")
    parser.add_argument(
        "--allow-review",
        action="store_true",
        help="stdio: let the assistant record review decisions in your name (never on drafts you or it requested)",
    )
    parser.add_argument(
        "--allow-anonymous-local",
        action="store_true",
        help="HTTP on 127.0.0.1 without SQLDRAFT_MCP_TOKENS: callers may read and draft without a token",
    )
    args = parser.parse_args(argv)
    problem = _argument_problem(args)
    if problem:
        sys.stderr.write(f"sqldraft-mcp: {problem}\n")
        return 2
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return _serve(args)
    except SqldraftError as exc:
        sys.stderr.write(f"sqldraft-mcp: {explain(exc)}\n")
        return 2
    except KeyboardInterrupt:
        return 0


def _argument_problem(args: argparse.Namespace) -> str | None:
    if args.transport == "stdio":
        if args.scheduler:
            return "--scheduler needs --transport http (an editor's stdio server comes and goes)"
        if args.allow_anonymous_local:
            return "--allow-anonymous-local is for --transport http"
    elif args.allow_review:
        return "--allow-review is for --transport stdio; over HTTP, give a token the review scope"
    if not 0 < args.port < 65536:
        return f"--port {args.port} is not a TCP port: use 1 to 65535"
    return None


def _http_identity(tokens: list[TokenEntry], args: argparse.Namespace, allowed_hosts: str) -> Identity | None:
    """Who a call without a token is over HTTP: nobody, unless anonymous local use was asked for.

    Raises:
        ConfigurationError: no tokens where they are required.
    """
    if tokens:
        if args.allow_anonymous_local:
            raise ConfigurationError("--allow-anonymous-local is for a server without SQLDRAFT_MCP_TOKENS: drop one")
        return None
    if not _loopback(args.host):
        raise ConfigurationError(
            f"refusing to serve MCP on {args.host} without tokens: set SQLDRAFT_MCP_TOKENS, or bind 127.0.0.1"
        )
    if not args.allow_anonymous_local:
        raise ConfigurationError(
            "the HTTP transport needs bearer tokens: set SQLDRAFT_MCP_TOKENS (see docs/mcp.md), or for a "
            "single-user machine pass --allow-anonymous-local"
        )
    if allowed_hosts.strip():
        raise ConfigurationError(
            "--allow-anonymous-local with SQLDRAFT_MCP_ALLOWED_HOSTS would let a proxy's callers in without a "
            "token: set SQLDRAFT_MCP_TOKENS instead"
        )
    log.warning("anonymous local use: callers on this machine can read schemas and draft without a token")
    return Identity("mcp:anonymous-local", frozenset({"draft"}), "anonymous")


def _serve(args: argparse.Namespace) -> int:
    from core.bootstrap import build_copilot

    settings = load_settings()
    logging.getLogger().setLevel(settings.log_level)
    if args.transport == "stdio":
        copilot = build_copilot(settings)  # the store and the key are checked before the server starts
        server = build_server(lambda: copilot, default_identity=local_identity(review=args.allow_review))
        server.run("stdio")
        return 0
    tokens = parse_tokens(settings.mcp_tokens.get_secret_value() if settings.mcp_tokens else None)
    default = _http_identity(tokens, args, settings.mcp_allowed_hosts)
    copilot = build_copilot(settings)
    public = f"http://{_url_host('127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host)}:{args.port}"
    server = build_server(lambda: copilot, default_identity=default, tokens=tokens, public_url=public)
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
    limit = max(settings.http_body_limit, 6 * settings.max_sql_chars + 65_536)
    served = with_operations(app, copilot, limit, scheduler.alive if scheduler is not None else None, args.host)
    try:
        uvicorn.run(served, host=args.host, port=args.port, log_level="warning")
    finally:
        if scheduler is not None:
            scheduler.shutdown()
            scheduler.copilot.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
