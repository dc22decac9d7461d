"""What the drafting backend is and whether it works: ``llm status`` (settings only) and ``llm check`` (calls it).

Both return plain dataclasses that the command line, Slack and MCP render their own way; neither raises
for a broken endpoint (that is what they report). The key never appears in either.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from core.errors import LLMError
from core.generation.generators import (
    active_generator,
    call_within_budget,
    chat_completion,
    describe_error,
    endpoint_host,
    llm_settings_problems,
    make_client,
)
from core.settings import Settings


@dataclass(frozen=True, slots=True)
class LlmStatus:
    """Which generator drafts, and whether the LLM settings are complete (no network involved)."""

    generator: str
    """``llm`` or ``offline`` (``auto`` resolved)."""
    configured: bool
    missing: list[str] = field(default_factory=list)
    """Setting names still needed for the LLM backend."""
    host: str | None = None
    model: str | None = None
    api_key_set: bool = False
    timeout_s: float = 0.0
    connect_timeout_s: float = 0.0
    attempts: int = 0

    @property
    def summary(self) -> str:
        """One line, e.g. ``llm: model gpt-4o-mini at api.openai.com``."""
        if self.generator == "offline":
            note = "" if not self.missing else " (LLM not configured: set " + " and ".join(self.missing) + ")"
            return f"offline: deterministic patterns, no model{note}"
        if self.missing:
            return "llm: not configured, set " + " and ".join(self.missing)
        return f"llm: model {self.model} at {self.host}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"summary": self.summary}


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One finding of ``llm check``: what was checked, whether it is fine, and the detail."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class LlmCheck:
    """Reachability, model listed, latency and JSON mode of the configured endpoint."""

    host: str
    model: str
    lines: list[CheckLine]

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "model": self.model, "ok": self.ok, "lines": [asdict(x) for x in self.lines]}


def llm_status(settings: Settings) -> LlmStatus:
    """The active generator and what the LLM settings lack."""
    missing = llm_settings_problems(settings)
    return LlmStatus(
        generator=active_generator(settings),
        configured=not missing,
        missing=missing,
        host=endpoint_host(settings),
        model=settings.llm_model,
        api_key_set=settings.llm_api_key is not None,
        timeout_s=settings.llm_timeout,
        connect_timeout_s=settings.llm_connect_timeout,
        attempts=settings.llm_attempts,
    )


def llm_check(settings: Settings) -> LlmCheck:
    """Call ``/models`` and one tiny JSON-mode completion; every outcome is a line, nothing raises."""
    import openai

    host = endpoint_host(settings)
    model = str(settings.llm_model or "")
    missing = llm_settings_problems(settings)
    if missing:
        return LlmCheck(host, model, [CheckLine("settings", False, "set " + " and ".join(missing))])
    client, options = make_client(settings)
    lines: list[CheckLine] = []
    try:
        started = time.monotonic()
        listed = call_within_budget(options, lambda: [m.id for m in client.models.list()])
        ms = int((time.monotonic() - started) * 1000)
        lines.append(CheckLine("reachable", True, f"{host} answered /models in {ms} ms"))
        if model in listed:
            lines.append(CheckLine("model", True, f"{model!r} is listed"))
        else:
            shown = ", ".join(sorted(listed)[:10]) or "none"
            lines.append(CheckLine("model", False, f"{model!r} is not listed (the endpoint lists: {shown})"))
    except openai.APIError as exc:
        budget = exc.__dict__.get("sqldraft_budget")
        lines.append(CheckLine("reachable", False, str(describe_error(exc, options, budget)).replace("/models", "")))
        if isinstance(exc, openai.APIConnectionError):
            return LlmCheck(host, model, lines)
    messages = [{"role": "user", "content": 'Reply with the JSON object {"ok": true} and nothing else.'}]
    try:
        started = time.monotonic()
        raw = call_within_budget(
            options,
            lambda: client.chat.completions.with_raw_response.create(  # type: ignore[call-overload]
                model=model,
                messages=messages,
                temperature=0,
                max_tokens=20,
                response_format={"type": "json_object"},
            ),
        )
        chat_completion(raw, options)
        ms = int((time.monotonic() - started) * 1000)
        lines.append(CheckLine("latency", True, f"a tiny completion took {ms} ms"))
        lines.append(CheckLine("json mode", True, "response_format json_object accepted"))
    except openai.BadRequestError as exc:
        if "response_format" not in str(exc).lower():
            lines.append(CheckLine("completion", False, str(describe_error(exc, options, None))))
        else:
            lines.append(CheckLine("json mode", False, "not supported: sqldraft asks for JSON in the prompt instead"))
    except openai.APIError as exc:
        budget = exc.__dict__.get("sqldraft_budget")
        lines.append(CheckLine("completion", False, str(describe_error(exc, options, budget))))
    except LLMError as exc:
        lines.append(CheckLine("completion", False, str(exc)))
    return LlmCheck(host, model, lines)
