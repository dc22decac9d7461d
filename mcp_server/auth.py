"""Who is calling: bearer tokens from SQLDRAFT_MCP_TOKENS (HTTP), or the local user (stdio)."""

from __future__ import annotations

import getpass
import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from core.domain.review import Principal
from core.errors import ConfigurationError

SCOPES = ("draft", "review", "run")
"""run is its own scope: a token that drafts does not run reads unless it is given run too."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller: its principal and what it may do."""

    principal: str
    scopes: frozenset[str]
    source: Literal["token", "stdio", "anonymous"] = "token"
    """Where the identity comes from: a bearer token, the stdio transport, or anonymous local HTTP."""


@dataclass(frozen=True, slots=True)
class TokenEntry:
    name: str
    token: str
    scopes: frozenset[str]


def parse_tokens(value: str | None) -> list[TokenEntry]:
    """``name[:scope+scope]=token`` pairs, comma- or newline-separated, or the path of a file of them.

    Raises:
        ConfigurationError: a malformed pair, an unknown scope, a short token, a duplicate name or token.
    """
    text = (value or "").strip()
    if not text:
        return []
    if "=" not in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise ConfigurationError(
                "SQLDRAFT_MCP_TOKENS is neither name[:scopes]=token pairs nor the path of a readable file: "
                "check the path, or write the pairs"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(
                f"cannot read the SQLDRAFT_MCP_TOKENS file {path}: {exc.__class__.__name__}"
            ) from None
    entries: list[TokenEntry] = []
    for number, raw in enumerate(re.split(r"[,\n]", text), start=1):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        head, sep, token = item.partition("=")
        name, _, scope_text = head.strip().partition(":")
        if not sep or not _NAME.match(name):
            raise ConfigurationError(
                f"SQLDRAFT_MCP_TOKENS entry {number} is not name[:scopes]=token (names: letters, digits, "
                "'_', '.', '-'; scopes joined with '+')"
            )
        scopes = frozenset(s.strip() for s in scope_text.split("+") if s.strip()) or frozenset({"draft"})
        unknown = scopes - set(SCOPES)
        if unknown:
            raise ConfigurationError(
                f"SQLDRAFT_MCP_TOKENS: token {name!r} has unknown scope(s) "
                f"{', '.join(sorted(unknown))}: use draft and review"
            )
        token = token.strip()
        if len(token) < MIN_TOKEN_LENGTH:
            raise ConfigurationError(
                f"SQLDRAFT_MCP_TOKENS: token {name!r} is shorter than {MIN_TOKEN_LENGTH} "
                "characters: generate one with `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`"
            )
        if any(e.name == name for e in entries) or any(e.token == token for e in entries):
            raise ConfigurationError(
                f"SQLDRAFT_MCP_TOKENS: token {name!r} is listed twice (names and tokens must be unique)"
            )
        entries.append(TokenEntry(name, token, scopes))
    return entries


class StaticTokenVerifier:
    """Checks a bearer token against the configured ones, in constant time."""

    def __init__(self, entries: list[TokenEntry]) -> None:
        self.entries = [(hashlib.sha256(e.token.encode()).digest(), e) for e in entries]

    async def verify_token(self, token: str) -> AccessToken | None:
        # digests of equal length, compared against every entry: the time tells neither which entry
        # matched nor how long the configured tokens are
        offered = hashlib.sha256(token.encode()).digest()
        match = None
        for digest, entry in self.entries:
            if hmac.compare_digest(digest, offered):
                match = entry
        if match is None:
            return None
        return AccessToken(token=token, client_id=match.name, scopes=sorted(match.scopes))


def local_identity(*, review: bool = False) -> Identity:
    """stdio: the local user's assistant, ``mcp:local-<user>``; it drafts, and reviews only when allowed."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    scopes = frozenset(SCOPES) if review else frozenset({"draft"})
    return Identity(f"mcp:local-{re.sub(r'[^A-Za-z0-9_.-]', '_', user)}", scopes, "stdio")


def caller(default: Identity | None) -> Identity:
    """The identity of the current tool call: its token's, or the transport's default."""
    token = get_access_token()
    if token is not None:
        return Identity(f"mcp:{token.client_id}", frozenset(token.scopes))
    if default is None:
        raise ToolError("authentication required: call with a bearer token from SQLDRAFT_MCP_TOKENS")
    return default


def require(identity: Identity, scope: str) -> Principal:
    if scope not in identity.scopes:
        if identity.source == "stdio":
            raise ToolError(
                f"this stdio server ({identity.principal}) runs without the '{scope}' scope: a person reviews in "
                "Slack or with `sqldraft review`, or starts sqldraft-mcp with --allow-review"
            )
        who = f"this token ({identity.principal})" if identity.source == "token" else "a call without a token"
        raise ToolError(
            f"{who} lacks the '{scope}' scope that this tool needs; call with a token that has {scope} "
            "in SQLDRAFT_MCP_TOKENS"
        )
    return Principal(identity.principal)
