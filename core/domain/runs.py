"""Runs: what running an approved read returns (columns, capped rows, timing) and how cells become JSON.

>>> parse_limit("25", default=100)
25
>>> json_cell(b"\\x00\\xff", 100)
{'type': 'bytes', 'length': 2, 'hex': '00ff', 'truncated': False}
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from decimal import Decimal
from typing import Any

from pydantic import Field

from core.domain.record import Record
from core.errors import InvalidInput

MAX_ROWS = 10_000
"""The most rows one run returns, whatever the limit asked."""
MAX_CELL_CHARS = 16_384
"""A text cell longer than this is cut (the rest is counted, not returned)."""
MAX_BINARY_BYTES = 4_096
"""Bytes of a binary cell shown (as hex); the length is always given."""
BLOCKED = "execution blocked: the script contains DML/DDL; sqldraft never runs it"
"""The seed's warning, word for word, when a draft that writes is asked to run."""


def parse_limit(value: object, *, default: int) -> int:
    """A run's row cap: ``default`` when none is given, else a whole number from 1 to 10,000.

    Raises:
        InvalidInput: not a whole number, or outside 1 to 10,000 (0, -1 and 1e9 are refused, not clamped).
    """
    if value is None or value == "":
        return default
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= MAX_ROWS:
        shown = str(value)[:20]
        raise InvalidInput(f"limit {shown!r} is out of range: give a whole number of rows from 1 to {MAX_ROWS:,}")
    return number


def json_cell(value: Any, max_chars: int = MAX_CELL_CHARS, _depth: int = 0) -> Any:
    """A cell value as JSON can carry it, exactly where it can and marked where it cannot.

    NULL is None; Decimal a string (exact); dates and times ISO 8601; bytes a ``{"type": "bytes"}`` marker
    with the length and the first bytes in hex; JSON and arrays as lists and objects; text longer than
    ``max_chars`` cut with a ``… (N more characters)`` tail.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _cut(value, max_chars)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        shown = data[:MAX_BINARY_BYTES]
        return {"type": "bytes", "length": len(data), "hex": shown.hex(), "truncated": len(shown) < len(data)}
    if isinstance(value, uuid.UUID):
        return str(value)
    if _depth < 20 and isinstance(value, dict):
        return {_cut(str(k), 200): json_cell(v, max_chars, _depth + 1) for k, v in value.items()}
    if _depth < 20 and isinstance(value, list | tuple):
        return [json_cell(v, max_chars, _depth + 1) for v in value]
    return _cut(str(value), max_chars)


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return f"{text[:max_chars]}… ({len(text) - max_chars:,} more characters)"


def cell_text(value: Any) -> str:
    """A JSON-safe cell as one text field (tables and CSV): NULL is empty, bytes ``\\x..`` hex, JSON as JSON."""
    import json

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and value.get("type") == "bytes" and "hex" in value:
        return "\\x" + str(value["hex"]) + ("…" if value.get("truncated") else "")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def base64_of(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Column(Record):
    name: str
    type: str
    """The database's name for the column's type (``int4``, ``VAR_STRING``, ``TEXT``; empty when unknown)."""


class RunResult(Record):
    """A read that ran: its columns, the rows up to the caps, and how long it took."""

    draft_id: str
    connection: str
    sql: str
    columns: list[Column]
    rows: list[list[Any]]
    truncated: bool
    truncated_by: str | None = None
    """What cut the result: ``rows`` (the row cap), ``bytes`` (the byte cap); None: complete."""
    row_count: int
    limit: int
    elapsed_ms: int
    warnings: list[str] = Field(default_factory=list)
    """E.g. the draft was validated against an older snapshot than the connection's current one."""
    approved: bool = True
    """False when the connection's run_unapproved_reads let a read run before review."""
