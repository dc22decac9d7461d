"""Opaque page cursors: an offset tied to the query it pages, so a cursor cannot be replayed on another."""

from __future__ import annotations

import base64
import json

from mcp.server.mcpserver.exceptions import ToolError


def encode_cursor(offset: int, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "k": key}).encode()).decode()


def decode_cursor(cursor: str | None, key: str) -> int:
    """The offset a cursor of ``key`` carries; 0 without one.

    Raises:
        ToolError: the cursor is malformed or belongs to another query.
    """
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


def next_cursor(offset: int, size: int, total: int, key: str) -> str | None:
    """The cursor of the page after ``offset`` (pages of ``size``), or None on the last page."""
    return encode_cursor(offset + size, key) if offset + size < total else None
