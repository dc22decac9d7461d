"""Approved examples as the drafting pipeline sees them (the review feature fills the library)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Example:
    id: int
    request: str
    sql: str
    tables: list[str] = field(default_factory=list)
    negative: bool = False
    note: str | None = None
    score: float = 0.0
