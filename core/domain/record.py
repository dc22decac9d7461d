"""The base of sqldraft's typed results: pydantic models whose JSON form is their field list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

Timestamp = Annotated[datetime, PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json")]
"""A datetime printed as ``datetime.isoformat()`` (``+00:00``, as every sqldraft output always has)."""


class Record(BaseModel):
    """A result the core returns and every adapter prints as it is (``--json``, MCP structured output).

    Its fields are its JSON shape: ``to_dict()`` is ``model_dump(mode="json")``, so no adapter writes the
    field list a second time.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, validate_assignment=False, from_attributes=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)
