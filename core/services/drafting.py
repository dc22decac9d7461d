"""Drafting: a request becomes a queued draft, then generate -> validate -> repair, recorded attempt by attempt.

Short steps take a unit of work; the long one (:func:`run_draft`, which calls the model) takes the
unit-of-work factory and opens a short transaction for each step, so no store transaction stays open
while the model thinks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.crypto import Cipher
from core.domain.drafts import Draft, DraftStatus, clean_request
from core.domain.snapshots import SnapshotInfo
from core.errors import InvalidInput, SqldraftError
from core.generation.completion import Generator
from core.generation.pipeline import AttemptRecord, DraftProgress, Outcome, no_draft_progress, run_pipeline
from core.generation.prompt import Task
from core.generation.retrieval import Embedder
from core.incidents import report_incident
from core.services import drafts as rows
from core.services.connections import find_connection, target_for
from core.services.examples import relevant_examples
from core.services.snapshots import SnapshotCache, current_snapshot
from core.services.tools import SnapshotTools, ToolCache, ToolSettings, retrieval_index, snapshot_tools
from core.settings import Settings
from core.store import Clock, UnitOfWork, UowFactory
from core.validation.engine import Validator, parse_mode
from core.validation.explain import explain_on_server, table_rows_of

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DraftingDeps:
    """What drafting works with (built once in core.bootstrap)."""

    uows: UowFactory
    settings: Settings
    clock: Clock
    worker: str
    """This process, as the draft's worker (host:pid:nonce), so a crashed worker's drafts are recovered."""
    generator: Callable[[], Generator]
    schemas: SnapshotCache
    tools: ToolCache
    tool_settings: ToolSettings
    embedder: Callable[[], Embedder | None]
    cipher: Cipher | None = None
    """Decrypts the connection's credential for plan estimates (the ``explain_costs`` option); None: never."""


def create_draft(
    uow: UnitOfWork, connection: str, request: str, *, mode: str, requester: str, generator: str, now: datetime
) -> str:
    """Record a queued draft after checking everything a user can get wrong; returns its id.

    Raises:
        InvalidInput: blank or over-long request, unknown mode.
        NotFound: unknown connection, no snapshot yet.
    """
    text = clean_request(request)
    parsed_mode = parse_mode(mode)
    row, info = current_snapshot(uow.session, connection)
    return rows.create_draft(
        uow,
        connection_id=row.id,
        connection_name=row.name,
        snapshot=info,
        request=text,
        mode=parsed_mode.value,
        requester=requester,
        generator=generator,
        now=now,
    )


def submit_sql(
    uow: UnitOfWork,
    connection: str,
    sql: str,
    *,
    mode: str,
    purpose: str | None,
    requester: str,
    validator: Validator,
    snapshot: SnapshotInfo,
    now: datetime,
) -> str:
    """Record SQL written elsewhere as a draft: validated against ``snapshot``, completed, pending review.

    ``validator`` is the one of ``snapshot`` (the connection's snapshot in use). The draft's generator
    is ``submitted`` and its requester the caller; a review request is queued where the connection
    has a review channel. Returns the draft's id.

    Raises:
        InvalidInput: blank SQL, over-long purpose, unknown mode; TooLarge: over SQLDRAFT_MAX_SQL_CHARS.
        NotFound: unknown connection, no snapshot yet (a NoSnapshot, hinting to take one).
    """
    text = (sql or "").strip()
    if not text:
        raise InvalidInput("the SQL to submit is blank: give the script to be reviewed")
    parsed_mode = parse_mode(mode)
    request = clean_request(purpose) if (purpose or "").strip() else f"SQL submitted for review ({parsed_mode.value})"
    validation = validator.validate(text, parsed_mode)  # before the store: validating holds no transaction
    row, _ = current_snapshot(uow.session, connection)
    return rows.create_submitted_draft(
        uow,
        connection_id=row.id,
        connection_name=row.name,
        snapshot=snapshot,
        request=request,
        mode=parsed_mode.value,
        requester=requester,
        sql=text,
        validation=validation,
        now=now,
    )


def run_draft(deps: DraftingDeps, draft_id: str, *, progress: DraftProgress = no_draft_progress) -> Draft:
    """Generate, validate and repair a queued draft in this thread; returns it finished.

    ``progress`` hears each step (retrieving, prompting attempt N of M, validating); its failures are
    logged, never the draft's.
    """
    with deps.uows() as uow:
        draft = rows.load_draft(uow.session, draft_id)
        started = rows.start_draft(uow, draft.id, deps.worker, now=deps.clock())
    if started:
        try:
            _generate(deps, draft, _guarded(progress))
        except SqldraftError as exc:
            _fail(deps, draft.id, str(exc))
        except Exception as exc:
            incident = report_incident(log, exc, f"draft {draft.id}")
            _fail(deps, draft.id, f"drafting failed unexpectedly (incident {incident})")
    with deps.uows() as uow:
        return rows.load_draft(uow.session, draft.id)


def _guarded(progress: DraftProgress) -> DraftProgress:
    def report(message: str, fraction: float | None) -> None:
        try:
            progress(message, fraction)
        except Exception as exc:
            report_incident(log, exc, "draft progress callback")

    return report


def _fail(deps: DraftingDeps, draft_id: str, error: str) -> None:
    with deps.uows() as uow:
        rows.fail_draft(uow, draft_id, error, now=deps.clock())


def _generate(deps: DraftingDeps, draft: Draft, progress: DraftProgress) -> None:
    progress("retrieving the relevant tables", 0.05)
    with deps.uows() as uow:
        info, tools = snapshot_tools(
            uow, draft.connection, cache=deps.tools, schemas=deps.schemas, settings=deps.tool_settings
        )
        examples = relevant_examples(uow, draft.connection, draft.request, 3)
    index = retrieval_index(tools, cache=deps.tools, embedder=deps.embedder())
    retrieved = index.retrieve(
        draft.request, deps.settings.retrieval_token_budget, [e for e in examples if not e.negative]
    )
    task = Task(
        request=draft.request,
        mode=parse_mode(draft.mode),
        dialect=tools.schema.dialect,
        server_version=tools.schema.server_version,
        schema_text=retrieved.text,
        whole_schema=retrieved.whole_schema,
        examples=examples,
        schema_model=tools.schema,
        failed_run=(draft.effective_script_text or "", draft.run_error) if draft.run_error else None,
    )

    def on_attempt(record: AttemptRecord) -> None:
        with deps.uows() as uow:
            rows.record_attempt(uow, draft.id, record, now=deps.clock())

    def canceled() -> bool:
        with deps.uows() as uow:
            return rows.is_canceled(uow, draft.id)

    outcome = run_pipeline(
        task,
        deps.generator(),
        tools.validator,
        max_repairs=deps.settings.max_repair_attempts,
        on_attempt=on_attempt,
        canceled=canceled,
        first_number=draft.attempt_count + 1,
        progress=progress,
    )
    references = retrieved.to_references() | {
        "examples": [{"id": e.id, "request": e.request, "negative": e.negative} for e in examples],
        "snapshot": {"id": info.id, "checksum": info.checksum, "confirmed_at": info.last_seen_at.isoformat()},
    }
    if outcome.status is not DraftStatus.CANCELED:
        _explain_costs(deps, draft.connection, tools, outcome)
        with deps.uows() as uow:
            rows.finish_draft(uow, draft.id, outcome, references, now=deps.clock())


def _explain_costs(deps: DraftingDeps, connection: str, tools: SnapshotTools, outcome: Outcome) -> None:
    """The database's plan estimates and cost findings for the draft's reads, when the connection allows it.

    Plain EXPLAIN in a read-only transaction (core.validation.explain); a database that cannot be reached
    leaves the draft as validated from the snapshot (drafting keeps working), and says so in the log.
    """
    if outcome.validation is None or deps.cipher is None:
        return
    s = deps.settings
    with deps.uows() as uow:
        if not (find_connection(uow.session, connection).options or {}).get("explain_costs"):
            return
        target = target_for(
            uow, connection, cipher=deps.cipher, connect_timeout=s.connect_timeout,
            statement_timeout=s.introspection_timeout,
        )  # fmt: skip
    try:
        explain_on_server(
            outcome.validation, target.config, tools.validator.settings, table_rows=table_rows_of(tools.schema)
        )
    except SqldraftError as exc:
        log.warning("plan estimates for %s skipped: %s", connection, exc)


def stale_after(settings: Settings) -> timedelta:
    """How long a queued or running draft may go without progress before it counts as interrupted."""
    return timedelta(
        seconds=max(settings.draft_stale_seconds, settings.llm_timeout * (settings.max_repair_attempts + 1) + 60)
    )
