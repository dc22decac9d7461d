"""What the drafting backend is and whether it works: ``llm status`` (settings only) and ``llm check`` (calls it).

Both return records (:mod:`core.domain.llm`) that the command line, Slack and MCP render their own way;
neither raises for a broken endpoint (that is what they report). The key never appears in either.
"""

from __future__ import annotations

import time

from core.domain.llm import CheckLine, LlmCheck, LlmStatus
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

__all__ = ["CheckLine", "LlmCheck", "LlmStatus", "llm_check", "llm_status"]

_PROBE = 'Reply with the JSON object {"ok": true} and nothing else.'


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


def _line(name: str, ok: bool, detail: str) -> CheckLine:
    return CheckLine(name=name, ok=ok, detail=detail)


def llm_check(settings: Settings) -> LlmCheck:
    """Call ``/models`` and one tiny JSON-mode completion; every outcome is a line, nothing raises."""
    import openai

    host = endpoint_host(settings)
    model = str(settings.llm_model or "")
    missing = llm_settings_problems(settings)
    if missing:
        return LlmCheck(host=host, model=model, lines=[_line("settings", False, "set " + " and ".join(missing))])
    client, options = make_client(settings)
    lines: list[CheckLine] = []
    listed: list[str] | None = None
    try:
        started = time.monotonic()
        listed = sorted(call_within_budget(options, lambda: [m.id for m in client.models.list()]))
        ms = int((time.monotonic() - started) * 1000)
        lines.append(_line("reachable", True, f"{host} answered /models in {ms} ms"))
        if model in listed:
            lines.append(_line("model", True, f"{model!r} is listed"))
        else:
            shown = ", ".join(listed[:10]) or "none"
            lines.append(_line("model", False, f"the endpoint does not know model {model!r}; models it lists: {shown}"))
    except openai.APIError as exc:
        budget = exc.__dict__.get("sqldraft_budget")
        lines.append(_line("reachable", False, str(describe_error(exc, options, budget)).replace("/models", "")))
        if isinstance(exc, openai.APIConnectionError):
            return LlmCheck(host=host, model=model, lines=lines)
    messages = [{"role": "user", "content": _PROBE}]
    try:
        started = time.monotonic()
        raw = call_within_budget(
            options,
            lambda: client.chat.completions.with_raw_response.create(  # type: ignore[call-overload]
                model=model, messages=messages, temperature=0, max_tokens=20, response_format={"type": "json_object"}
            ),
        )
        chat_completion(raw, options)
        ms = int((time.monotonic() - started) * 1000)
        lines.append(_line("latency", True, f"a tiny completion took {ms} ms"))
        lines.append(_line("json mode", True, "response_format json_object accepted"))
    except openai.BadRequestError as exc:
        if "response_format" not in str(exc).lower():
            lines.append(_line("completion", False, str(describe_error(exc, options, None))))
        else:
            lines.append(_line("json mode", False, "not supported: sqldraft asks for JSON in the prompt instead"))
    except openai.APIError as exc:
        budget = exc.__dict__.get("sqldraft_budget")
        lines.append(_line("completion", False, str(describe_error(exc, options, budget, listed))))
    except LLMError as exc:
        lines.append(_line("completion", False, str(exc)))
    return LlmCheck(host=host, model=model, lines=lines)
