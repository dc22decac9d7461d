"""Who is calling: bearer tokens from SQLDRAFT_MCP_TOKENS (HTTP), or the local user (stdio)."""

from __future__ import annotations

import getpass
import hmac
import re
from dataclasses import dataclass
from pathlib import Path

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from core.domain.review import Principal
from core.errors import ConfigurationError

SCOPES = ("draft", "review")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller: its principal and what it may do."""

    principal: str
    scopes: frozenset[str]
    token: bool = False
    """Whether the identity comes from a bearer token (else from the transport)."""


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
    if "=" not in text and Path(text).expanduser().is_file():
        text = Path(text).expanduser().read_text(encoding="utf-8")
    entries: list[TokenEntry] = []
    for raw in re.split(r"[,\n]", text):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        head, sep, token = item.partition("=")
        name, _, scope_text = head.strip().partition(":")
        if not sep or not _NAME.match(name):
            raise ConfigurationError(
                "SQLDRAFT_MCP_TOKENS holds an entry that is not name[:scopes]=token (names: "
                "letters, digits, '_', '.', '-')"
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
        self.entries = entries

    async def verify_token(self, token: str) -> AccessToken | None:
        match = None
        for entry in self.entries:  # compare against every entry: the time does not tell which one matched
            if hmac.compare_digest(entry.token.encode(), token.encode()):
                match = entry
        if match is None:
            return None
        return AccessToken(token=token, client_id=match.name, scopes=sorted(match.scopes))


def local_identity() -> Identity:
    """stdio: the local user, who may draft and review."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Identity(f"mcp:local-{re.sub(r'[^A-Za-z0-9_.-]', '_', user)}", frozenset(SCOPES))


def caller(default: Identity | None) -> Identity:
    """The identity of the current tool call: its token's, or the transport's default."""
    token = get_access_token()
    if token is not None:
        return Identity(f"mcp:{token.client_id}", frozenset(token.scopes), token=True)
    if default is None:
        raise ToolError("authentication required: call with a bearer token from SQLDRAFT_MCP_TOKENS")
    return default


def require(identity: Identity, scope: str) -> Principal:
    if scope not in identity.scopes:
        who = (
            f"this token ({identity.principal})" if identity.token else f"a call without a token ({identity.principal})"
        )
        raise ToolError(
            f"{who} lacks the '{scope}' scope that this tool needs; call with a token that has {scope} "
            "in SQLDRAFT_MCP_TOKENS"
        )
    return Principal(identity.principal)
