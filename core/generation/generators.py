"""One interface, two backends: an OpenAI-compatible model, and the deterministic offline generator."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from core.errors import ConfigurationError, LLMError
from core.generation.parsing import Reply, ReplyError, parse_reply
from core.generation.prompt import Task
from core.settings import Settings

log = logging.getLogger(__name__)


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


def llm_settings_problems(settings: Settings) -> list[str]:
    """What is missing for the LLM backend, as setting names."""
    missing = []
    if not settings.llm_model:
        missing.append("SQLDRAFT_LLM_MODEL (or OPENAI_MODEL)")
    if settings.llm_api_key is None and not settings.llm_base_url:
        missing.append(
            "SQLDRAFT_LLM_API_KEY (or OPENAI_API_KEY) for api.openai.com, or SQLDRAFT_LLM_BASE_URL for "
            "another OpenAI-compatible endpoint"
        )
    return missing


def make_generator(settings: Settings) -> Generator:
    """The configured backend. ``llm`` with missing settings is an error, never a silent fall-back.

    Raises:
        ConfigurationError: SQLDRAFT_GENERATOR=llm (or auto with a partial setup) and a setting is missing.
    """
    from core.generation.offline import OfflineGenerator

    choice = settings.generator
    if choice == "auto":
        configured = bool(settings.llm_api_key or settings.llm_base_url or settings.llm_model)
        choice = "llm" if configured else "offline"
    if choice == "offline":
        return OfflineGenerator()
    missing = llm_settings_problems(settings)
    if missing:
        raise ConfigurationError(
            "the LLM generator is not configured: set " + " and ".join(missing) + " (or SQLDRAFT_GENERATOR=offline)"
        )
    return LLMGenerator(settings)


class LLMGenerator:
    """Any OpenAI-compatible /chat/completions endpoint through the ``openai`` SDK, JSON replies, temperature 0."""

    name = "llm"
    can_repair = True

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.model = str(settings.llm_model)
        self.timeout = settings.llm_timeout
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        self._secret = key
        self.client = OpenAI(api_key=key, base_url=settings.llm_base_url or None, timeout=self.timeout, max_retries=0)
        self.json_mode = True

    def generate(self, task: Task, messages: list[dict[str, str]]) -> Completion:
        start = time.monotonic()
        deadline = start + self.timeout
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LLMError(f"the model did not answer within {self.timeout:g} s (SQLDRAFT_LLM_TIMEOUT)")
            try:
                response = self._call(messages, remaining)
                break
            except Exception as exc:
                wait = self._retry_wait(exc, attempt)
                attempt += 1
                if wait is None or time.monotonic() + wait >= deadline:
                    raise self._as_error(exc, retried=attempt > 1) from None
                log.info("model call failed (%s); retrying in %.1f s", type(exc).__name__, wait)
                time.sleep(wait)
        latency = int((time.monotonic() - start) * 1000)
        text = (response.choices[0].message.content if response.choices else "") or ""
        usage = response.usage
        completion = Completion(
            reply=None,
            text=text,
            latency_ms=latency,
            model=response.model or self.model,
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        )
        try:
            completion.reply = parse_reply(text)
        except ReplyError as exc:
            completion.error = str(exc)
        return completion

    def _call(self, messages: list[dict[str, str]], remaining: float) -> Any:
        import openai

        kwargs = {"model": self.model, "messages": messages, "temperature": 0, "timeout": remaining}
        if self.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        try:
            return self.client.chat.completions.create(**kwargs)  # type: ignore[call-overload]
        except openai.BadRequestError as exc:
            if self.json_mode and "response_format" in str(exc).lower():
                self.json_mode = False  # the endpoint has no JSON mode: the prompt still asks for JSON
                kwargs.pop("response_format")
                return self.client.chat.completions.create(**kwargs)  # type: ignore[call-overload]
            raise

    @staticmethod
    def _retry_wait(exc: Exception, attempt: int) -> float | None:
        """Seconds to wait before retrying a transient failure, or None if it is not transient."""
        import openai

        backoff = min(8.0, 0.5 * 2**attempt) * (0.8 + 0.4 * random.random())
        if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError):
            return backoff
        if isinstance(exc, openai.RateLimitError):
            header = exc.response.headers.get("retry-after") if exc.response is not None else None
            try:
                return max(0.0, float(header)) if header is not None else backoff
            except ValueError:
                return backoff
        if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
            return backoff
        return None

    def _as_error(self, exc: Exception, *, retried: bool) -> LLMError:
        import openai

        after = " after retrying" if retried else ""
        if isinstance(exc, openai.AuthenticationError):
            message = "the model endpoint refused the API key (401): check SQLDRAFT_LLM_API_KEY"
        elif isinstance(exc, openai.PermissionDeniedError):
            message = "the model endpoint denied access (403): check the key's permissions"
        elif isinstance(exc, openai.NotFoundError):
            message = (
                f"the model endpoint does not know model {self.model!r} or the URL (404): check "
                "SQLDRAFT_LLM_MODEL and SQLDRAFT_LLM_BASE_URL"
            )
        elif isinstance(exc, openai.RateLimitError):
            message = f"the model endpoint is rate limiting (429){after}, longer than SQLDRAFT_LLM_TIMEOUT allows"
        elif isinstance(exc, openai.APITimeoutError):
            message = f"the model did not answer within {self.timeout:g} s{after} (SQLDRAFT_LLM_TIMEOUT)"
        elif isinstance(exc, openai.APIConnectionError):
            message = f"cannot reach the model endpoint{after}: {_first_line(exc)}"
        elif isinstance(exc, openai.APIStatusError):
            message = f"the model endpoint failed ({exc.status_code}){after}: {_first_line(exc)}"
        else:
            message = f"the model call failed: {type(exc).__name__}"
        return LLMError(message.replace(self._secret, "***") if self._secret else message)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
