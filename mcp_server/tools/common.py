"""What several tools share: their annotations and argument types."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp_types import ToolAnnotations
from pydantic import Field

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
Connection = Annotated[
    str, Field(description="The connection's name, as list_connections shows it.", min_length=1, max_length=63)
]
Mode = Annotated[
    Literal["query", "dml", "ddl"],
    Field(description="query: one read-only SELECT; dml: data changes (INSERT/UPDATE/DELETE); ddl: schema changes."),
]
