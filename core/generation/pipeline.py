"""The generate - validate - repair loop for one draft.

Every attempt is validated; error findings go back to the generator, up to ``max_repairs`` times. A
script that still has errors is kept (status completed, findings visible, a warning that it did not
validate): never a silent success. A broken model endpoint fails the draft with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.domain.drafts import DraftStatus
from core.errors import InvalidInput, LLMError
from core.generation.completion import Completion, Generator
from core.generation.parsing import Reply
from core.generation.prompt import Task, first_messages, format_reminder, repair_message
from core.store.models import utcnow
from core.validation.engine import Validator
from core.validation.model import Validation


@dataclass(slots=True)
class AttemptRecord:
    number: int
    kind: str
    started_at: datetime
    latency_ms: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str | None = None
    sql: str | None = None
    lint_status: str | None = None
    findings: list[dict[str, object]] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class Outcome:
    status: DraftStatus
    reply: Reply | None = None
    validation: Validation | None = None
    error: str | None = None
    warning: str | None = None
    attempts: list[AttemptRecord] = field(default_factory=list)

    @property
    def prompt_tokens(self) -> int:
        return sum(a.prompt_tokens for a in self.attempts)

    @property
    def completion_tokens(self) -> int:
        return sum(a.completion_tokens for a in self.attempts)

    @property
    def latency_ms(self) -> int:
        return sum(a.latency_ms for a in self.attempts)

    @property
    def model(self) -> str | None:
        return next((a.model for a in reversed(self.attempts) if a.model), None)


DraftProgress = Callable[[str, float | None], None]
"""progress(what is happening, fraction done or None): how a long draft tells whoever waits on it."""


def no_draft_progress(message: str, fraction: float | None) -> None:
    """The default progress callback: does nothing."""


def run_pipeline(
    task: Task,
    generator: Generator,
    validator: Validator,
    *,
    max_repairs: int,
    on_attempt: Callable[[AttemptRecord], None],
    canceled: Callable[[], bool],
    first_number: int = 1,
    progress: DraftProgress = no_draft_progress,
) -> Outcome:
    messages = first_messages(task)
    outcome = Outcome(status=DraftStatus.COMPLETED)
    total = max_repairs + 1
    for i in range(total):
        if canceled():
            outcome.status = DraftStatus.CANCELED
            return outcome
        progress(f"prompting the model (attempt {i + 1} of {total})", 0.1 + 0.8 * i / total)
        record = AttemptRecord(number=first_number + i, kind="generate" if i == 0 else "repair", started_at=utcnow())
        try:
            completion = generator.generate(task, messages)
        except LLMError as exc:
            record.error = str(exc)
            _finish(record, outcome, on_attempt)
            outcome.status, outcome.error = DraftStatus.FAILED, str(exc)
            return outcome
        _usage(record, completion)
        reply = completion.reply
        if reply is None or (
            not reply.sql.strip() and not reply.clarification_needed and not reply.unresolved_questions
        ):
            record.error = completion.error or "the model returned no SQL"
            _finish(record, outcome, on_attempt)
            if not generator.can_repair or i == total - 1:
                outcome.status = DraftStatus.FAILED
                outcome.error = f"{record.error} (after {i + 1} attempt{'s' if i else ''})"
                return outcome
            messages += [{"role": "assistant", "content": completion.text or "(empty)"}, format_reminder()]
            continue
        if reply.clarification_needed or not reply.sql.strip():
            _finish(record, outcome, on_attempt)
            outcome.status, outcome.reply = DraftStatus.CLARIFICATION_NEEDED, reply
            return outcome
        progress(f"validating attempt {i + 1} of {total}", 0.1 + 0.8 * (i + 0.5) / total)
        try:
            validation = validator.validate(reply.sql, task.mode)
        except InvalidInput as exc:
            record.sql, record.error = reply.sql, str(exc)
            _finish(record, outcome, on_attempt)
            outcome.status, outcome.error = DraftStatus.FAILED, f"the drafted SQL could not be validated: {exc}"
            return outcome
        record.sql, record.lint_status = reply.sql, validation.status.value
        record.findings = [f.to_dict() for f in validation.errors]
        _finish(record, outcome, on_attempt)
        outcome.reply, outcome.validation = reply, validation
        errors = validation.errors
        if not errors:
            return outcome
        if not generator.can_repair or i == total - 1:
            break
        messages += [{"role": "assistant", "content": completion.text}, repair_message(errors)]
    assert outcome.validation is not None
    count = len(outcome.validation.errors)
    outcome.warning = (
        f"the draft did not validate after {len(outcome.attempts)} attempt(s): {count} error "
        f"finding(s) remain; read them before using the script"
    )
    return outcome


def _usage(record: AttemptRecord, completion: Completion) -> None:
    record.latency_ms = completion.latency_ms
    record.prompt_tokens = completion.prompt_tokens
    record.completion_tokens = completion.completion_tokens
    record.model = completion.model


def _finish(record: AttemptRecord, outcome: Outcome, on_attempt: Callable[[AttemptRecord], None]) -> None:
    outcome.attempts.append(record)
    on_attempt(record)
