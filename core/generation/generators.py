"""One interface, two backends: an OpenAI-compatible model, and the deterministic offline generator.

The model call fails fast and says where: the ``openai`` SDK's own timeouts and retries
(``max_retries``, its jittered backoff, ``Retry-After``) under one total budget per call, kept by
:class:`BudgetTransport`. Only the SDK's error types are turned into a draft failure; anything else
is a bug and surfaces as an incident.
"""

from __future__ import annotations

import contextvars
import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx2

from core.errors import ConfigurationError, LLMError
from core.generation.completion import Completion, Generator
from core.generation.parsing import ReplyError, parse_reply
from core.generation.prompt import Task
from core.settings import Settings

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

_RETRIED_STATUS = frozenset({408, 429})
"""Besides 5xx: a request timeout and a rate limit are worth another attempt; other 4xx are not."""
_SDK_MAX_BACKOFF = 8.0
_MIN_ATTEMPT_S = 0.5
"""An attempt with less time than this left is not started: the call fails with the budget spent."""


def endpoint_host(settings: Settings) -> str:
    """The model endpoint's host[:port], for messages (never a key, never user:password)."""
    if not settings.llm_base_url:
        return "api.openai.com"
    parts = urlsplit(settings.llm_base_url)
    host = parts.hostname or settings.llm_base_url
    return f"{host}:{parts.port}" if parts.port else host


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


def active_generator(settings: Settings) -> str:
    """``llm`` or ``offline``: what SQLDRAFT_GENERATOR (``auto`` resolved) selects."""
    if settings.generator != "auto":
        return settings.generator
    configured = bool(settings.llm_api_key or settings.llm_base_url or settings.llm_model)
    return "llm" if configured else "offline"


def make_generator(settings: Settings) -> Generator:
    """The configured backend. ``llm`` with missing settings is an error, never a silent fall-back.

    Raises:
        ConfigurationError: SQLDRAFT_GENERATOR=llm (or auto with a partial setup) and a setting is missing.
    """
    from core.generation.offline import OfflineGenerator

    if active_generator(settings) == "offline":
        return OfflineGenerator()
    missing = llm_settings_problems(settings)
    if missing:
        raise ConfigurationError(
            "the LLM generator is not configured: set " + " and ".join(missing) + " (or SQLDRAFT_GENERATOR=offline)"
        )
    return LLMGenerator(settings)


@dataclass(slots=True)
class Budget:
    """One model call's deadline and what its HTTP attempts saw."""

    deadline: float
    attempts: int = 0
    last_status: int | None = None
    spent: bool = False
    """The budget ran out: the SDK was told not to retry, or an attempt was refused."""


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("sqldraft_llm_budget", default=None)


class BudgetExhausted(Exception):
    """Raised inside the transport when no time is left; the SDK wraps it as a timeout."""


class BudgetTransport(httpx2.BaseTransport):
    """Caps each HTTP attempt at the call's remaining budget and tells the SDK when a retry cannot fit.

    The SDK does the retrying (its ``max_retries``, backoff and ``Retry-After``); this transport only
    shortens an attempt's timeouts to what is left and answers ``x-should-retry: false`` (a header the
    SDK obeys) when the wait before another attempt would not fit, or the status is not worth retrying.
    """

    def __init__(self, inner: httpx2.BaseTransport, *, max_retries: int) -> None:
        self.inner = inner
        self.max_retries = max_retries

    def _next_wait(self, budget: Budget, response: httpx2.Response | None) -> float:
        if response is not None:
            for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
                value = response.headers.get(header)
                if value is None:
                    continue
                try:
                    seconds = float(value) / divisor
                except ValueError:
                    continue
                if math.isfinite(seconds) and seconds > 0:
                    return seconds
        return min(0.5 * 2.0 ** (budget.attempts - 1), _SDK_MAX_BACKOFF)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        budget = _BUDGET.get()
        if budget is None:
            return self.inner.handle_request(request)
        remaining = budget.deadline - time.monotonic()
        if budget.attempts and remaining < _MIN_ATTEMPT_S:
            budget.spent = True
            import openai

            raise openai.APITimeoutError(request=request)
        budget.attempts += 1
        # Leave room for the SDK's backoff before the next attempt, so a hanging endpoint fails on time.
        reserve = self._next_wait(budget, None) if budget.attempts <= self.max_retries else 0.0
        cap = max(_MIN_ATTEMPT_S, remaining - reserve)
        timeout = dict(request.extensions.get("timeout") or {})
        for key in ("connect", "read", "write", "pool"):
            current = timeout.get(key)
            timeout[key] = cap if current is None else min(float(current), cap)
        request.extensions["timeout"] = timeout
        response = self.inner.handle_request(request)
        budget.last_status = response.status_code
        if response.status_code >= 400:
            transient = response.status_code >= 500 or response.status_code in _RETRIED_STATUS
            fits = time.monotonic() + self._next_wait(budget, response) < budget.deadline - _MIN_ATTEMPT_S
            if not transient or not fits or budget.attempts > self.max_retries:
                if transient and not fits:
                    budget.spent = True
                response.headers["x-should-retry"] = "false"
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass(slots=True)
class CallOptions:
    """The fail-fast settings of one endpoint, as the SDK and the transport take them."""

    connect: float
    budget: float
    attempts: int
    host: str
    model: str
    secret: str = field(repr=False, default="")


def make_client(settings: Settings) -> tuple[openai.OpenAI, CallOptions]:
    """An ``openai`` client for the configured endpoint with the fail-fast settings applied."""
    from openai import DefaultHttpxClient, OpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    options = CallOptions(
        connect=settings.llm_connect_timeout,
        budget=settings.llm_timeout,
        attempts=settings.llm_attempts,
        host=endpoint_host(settings),
        model=str(settings.llm_model or ""),
        secret=key if settings.llm_api_key else "",
    )
    retries = options.attempts - 1
    transport = BudgetTransport(httpx2.HTTPTransport(), max_retries=retries)
    client = OpenAI(
        api_key=key,
        base_url=settings.llm_base_url or None,
        timeout=httpx2.Timeout(options.budget, connect=options.connect),
        max_retries=retries,
        http_client=DefaultHttpxClient(transport=transport),
    )
    return client, options


def call_within_budget(options: CallOptions, call: Any) -> Any:
    """Run ``call()`` (one SDK request, retries included) under the total budget.

    An SDK error raised by it carries the budget (attempts made) as ``exc.sqldraft_budget``.
    """
    # Half a second of the budget is kept for the draft's own work (retrieval, storage), so a draft fails
    # within SQLDRAFT_LLM_TIMEOUT, not just its model call.
    budget = Budget(deadline=time.monotonic() + options.budget - min(_MIN_ATTEMPT_S, options.budget / 10))
    token = _BUDGET.set(budget)
    try:
        return call()
    except Exception as exc:
        exc.__dict__.setdefault("sqldraft_budget", budget)
        raise
    finally:
        _BUDGET.reset(token)


class LLMGenerator:
    """Any OpenAI-compatible /chat/completions endpoint through the ``openai`` SDK, JSON replies, temperature 0."""

    name = "llm"
    can_repair = True

    def __init__(self, settings: Settings) -> None:
        self.client, self.options = make_client(settings)
        self.model = self.options.model
        self.json_mode = True

    def generate(self, task: Task, messages: list[dict[str, str]]) -> Completion:
        import openai

        start = time.monotonic()
        try:
            try:
                raw = call_within_budget(self.options, lambda: self._create(messages))
            except openai.BadRequestError as exc:
                if not (self.json_mode and "response_format" in str(exc).lower()):
                    raise
                self.json_mode = False  # the endpoint has no JSON mode: the prompt still asks for JSON
                raw = call_within_budget(self.options, lambda: self._create(messages))
        except openai.APIError as exc:
            listed = listed_models(self.client, self.options) if _unknown_model(exc) else None
            raise describe_error(exc, self.options, _attempts_of(exc), listed) from None
        response = chat_completion(raw, self.options)
        latency = int((time.monotonic() - start) * 1000)
        text = response.choices[0].message.content or ""
        usage = response.usage
        completion = Completion(
            reply=None,
            text=text,
            latency_ms=latency,
            model=response.model or self.model,
            prompt_tokens=(usage.prompt_tokens or 0) if usage else 0,
            completion_tokens=(usage.completion_tokens or 0) if usage else 0,
        )
        try:
            completion.reply = parse_reply(text)
        except ReplyError as exc:
            completion.error = str(exc)
        return completion

    def _create(self, messages: list[dict[str, str]]) -> Any:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        if self.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        return self.client.chat.completions.with_raw_response.create(**kwargs)


def _unknown_model(exc: openai.APIError) -> bool:
    import openai

    return isinstance(exc, openai.NotFoundError) and "model" in str(exc).lower()


def listed_models(client: openai.OpenAI, options: CallOptions) -> list[str] | None:
    """The model ids ``/models`` lists, to explain a 404 for an unknown model; None when that fails too."""
    import openai

    try:
        quick = client.with_options(timeout=httpx2.Timeout(options.connect * 2, connect=options.connect), max_retries=0)
        return sorted(m.id for m in quick.models.list())
    except openai.APIError:
        return None


def _attempts_of(exc: BaseException) -> Budget | None:
    budget = exc.__dict__.get("sqldraft_budget")
    return budget if isinstance(budget, Budget) else None


def chat_completion(raw: Any, options: CallOptions) -> Any:
    """The parsed chat completion of a raw SDK response.

    Raises:
        LLMError: the answer is not an OpenAI chat completion (an HTML login page, plain text, other JSON).
    """
    from openai.types.chat import ChatCompletion

    content_type = (raw.headers.get("content-type") or "no content type").split(";")[0].strip().lower()
    not_api = f"the endpoint at {options.host} did not answer like an OpenAI-compatible API"
    check = "check SQLDRAFT_LLM_BASE_URL (it usually ends in /v1) and any proxy in between"
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise LLMError(f"{not_api} (got {content_type}): {check}")
    try:
        parsed = raw.parse()
    except ValueError:  # a JSON content type with a body that is not JSON
        raise LLMError(f"{not_api} (got {content_type} that is not valid JSON): {check}") from None
    choices = getattr(parsed, "choices", None) if isinstance(parsed, ChatCompletion) else None
    if not isinstance(choices, list) or not choices or getattr(choices[0], "message", None) is None:
        raise LLMError(f"{not_api} (got JSON without chat completion choices): {check}")
    return parsed


def describe_error(
    exc: openai.APIError, options: CallOptions, budget: Budget | None, listed: list[str] | None = None
) -> LLMError:
    """One line naming the endpoint's host, what happened and what to check; the key never appears.

    ``listed`` is what the endpoint's ``/models`` lists, named when it does not know the configured model.
    """
    import openai

    host = options.host
    attempts = budget.attempts if budget else 0
    after = f" after {attempts} attempts" if attempts > 1 else ""
    spent = budget is not None and budget.spent
    if isinstance(exc, openai.AuthenticationError):
        message = f"the endpoint at {host} refused the API key (401): check SQLDRAFT_LLM_API_KEY"
    elif isinstance(exc, openai.PermissionDeniedError):
        message = f"the endpoint at {host} denied access (403): check the API key's permissions for the model"
    elif isinstance(exc, openai.NotFoundError):
        body = str(exc).lower()
        if "model" in body and listed is not None:
            shown = ", ".join(listed[:10]) + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")
            message = (
                f"the endpoint at {host} does not know model {options.model!r} (404); models it lists: "
                f"{shown or 'none'}: set SQLDRAFT_LLM_MODEL to one of them"
            )
        elif "model" in body:
            message = (
                f"the endpoint at {host} does not know model {options.model!r} (404): check SQLDRAFT_LLM_MODEL "
                "against the models it lists (sqldraft llm check)"
            )
        else:
            message = (
                f"the endpoint at {host} has no chat completions API at this URL (404): check "
                "SQLDRAFT_LLM_BASE_URL (it usually ends in /v1) and SQLDRAFT_LLM_MODEL"
            )
    elif isinstance(exc, openai.RateLimitError):
        message = (
            f"the endpoint at {host} is rate limiting (429){after} for longer than the "
            f"{options.budget:g} s budget (SQLDRAFT_LLM_TIMEOUT): try again later or raise the budget"
        )
    elif isinstance(exc, openai.APITimeoutError):
        message = (
            f"the endpoint at {host} did not answer within {options.budget:g} s{after} (SQLDRAFT_LLM_TIMEOUT): "
            "check that the model server is up and not overloaded, or raise SQLDRAFT_LLM_TIMEOUT"
        )
    elif isinstance(exc, openai.APIConnectionError):
        message = (
            f"cannot reach the endpoint at {host}{after} ({_cause(exc)}): check SQLDRAFT_LLM_BASE_URL and that "
            f"the model server is running"
        )
    elif isinstance(exc, openai.APIStatusError):
        what = "failed" if exc.status_code >= 500 else "refused the request"
        budget_note = f" and the {options.budget:g} s budget ran out" if spent else ""
        message = (
            f"the endpoint at {host} {what} ({exc.status_code}){after}{budget_note}: {_first_line(exc)}; "
            "check the model server's log"
        )
    else:  # APIResponseValidationError and other SDK errors
        message = f"the endpoint at {host} did not answer like an OpenAI-compatible API ({type(exc).__name__})"
    return LLMError(message.replace(options.secret, "***") if options.secret else message)


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__
    while cause is not None and cause.__cause__ is not None and not str(cause):
        cause = cause.__cause__
    if isinstance(cause, httpx2.ConnectError):
        text = str(cause).lower()
        if "refused" in text:
            return "connection refused"
        if "name" in text or "resolve" in text or "nodename" in text:
            return "host name not found"
        return "connection failed"
    return type(cause).__name__ if cause is not None else "connection failed"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
