"""What the drafting backend is and whether it works: ``llm status`` (settings only) and ``llm check`` (calls it).

The key never appears in either; a broken endpoint is what they report, not an error.
"""

from __future__ import annotations

from pydantic import Field, computed_field

from core.domain.record import Record


class LlmStatus(Record):
    """Which generator drafts, and whether the LLM settings are complete (no network involved)."""

    generator: str
    """``llm`` or ``offline`` (``auto`` resolved)."""
    configured: bool
    missing: list[str] = Field(default_factory=list)
    """Setting names still needed for the LLM backend."""
    host: str | None = None
    model: str | None = None
    api_key_set: bool = False
    timeout_s: float = 0.0
    connect_timeout_s: float = 0.0
    attempts: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """One line, e.g. ``llm: model gpt-4o-mini at api.openai.com``."""
        if self.generator == "offline":
            note = "" if not self.missing else " (LLM not configured: set " + " and ".join(self.missing) + ")"
            return f"offline: deterministic patterns, no model{note}"
        if self.missing:
            return "llm: not configured, set " + " and ".join(self.missing)
        return f"llm: model {self.model} at {self.host}"


class CheckLine(Record):
    """One finding of ``llm check``: what was checked, whether it is fine, and the detail."""

    name: str
    ok: bool
    detail: str

    @property
    def text(self) -> str:
        """``ok   reachable: ...`` or ``FAIL model: ...``."""
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


class LlmCheck(Record):
    """Reachability, model listed, latency and JSON mode of the configured endpoint."""

    host: str
    model: str
    lines: list[CheckLine]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)
