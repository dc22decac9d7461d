"""What a generator returns, and the interface every generator (model or offline) implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.generation.parsing import Reply
from core.generation.prompt import Task


@dataclass(slots=True)
class Completion:
    reply: Reply | None
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    model: str | None = None
    error: str | None = None
    """Why the reply could not be read (the attempt then counts as failed and may be repaired)."""


class Generator(Protocol):
    name: str
    can_repair: bool
    """Whether sending findings back can change the answer (the offline generator is deterministic)."""

    def generate(self, task: Task, messages: list[dict[str, str]]) -> Completion: ...
