"""The Copilot: the one object every adapter (CLI, Slack, MCP) drives.

A thin façade: each method opens a unit of work and delegates to one service verb in
``core/services/<concern>.py``. It holds no state of its own; what is shared (caches, the drift
event bus, the drafting pool, the generator) is built once in :mod:`core.bootstrap` and handed in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from core.crypto import Cipher
from core.domain.audit import Event
from core.domain.connections import ConnectionOptions, ConnectionProfile, Schedule, VerifyReport
from core.domain.diff import SchemaDiff
from core.domain.drafts import Draft
from core.domain.examples import ExampleInfo
from core.domain.health import HealthStatus
from core.domain.history import HistoryPage, HistoryQuery
from core.domain.limits import RateLimit, parse_rate_limits
from core.domain.llm import LlmCheck, LlmStatus
from core.domain.review import Principal, ReviewPolicy, ReviewRecord, ReviewRequest
from core.domain.runs import RunResult
from core.domain.schema import SchemaModel, Table
from core.domain.snapshots import RefreshResult, SnapshotInfo
from core.errors import Conflict, NotFound
from core.events import DriftEvent, DriftListener, EventBus
from core.generation import llm_status as llm
from core.generation.completion import Generator
from core.generation.pipeline import DraftProgress, no_draft_progress
from core.generation.retrieval import RetrievalIndex
from core.introspection import Progress, no_progress
from core.services import (
    audit,
    bindings,
    drafting,
    examples,
    health,
    history,
    outbox,
    rate_limits,
    refresh,
    requests_seen,
    review,
    schema_search,
    snapshots,
)
from core.services import connections as conns
from core.services import drafts as draft_rows
from core.services import run as runs
from core.services import tools as snapshot_tools
from core.services import validate as checks
from core.services.drafting import DraftingDeps
from core.services.refresh import RefreshDeps
from core.services.review import Validate
from core.settings import Settings
from core.store import Clock, Store, UnitOfWork
from core.validation.engine import Validator, parse_mode
from core.validation.model import Validation
from core.workers import DraftPool

P = ParamSpec("P")
R = TypeVar("R")


class Copilot:
    """sqldraft's operations over one store (built by :func:`core.bootstrap.build_copilot`)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        cipher: Cipher,
        clock: Clock,
        *,
        refresh: RefreshDeps,
        drafting: DraftingDeps,
        pool: DraftPool,
        bus: EventBus,
    ) -> None:
        self.settings, self.store, self.cipher, self.clock = settings, store, cipher, clock
        self._refresh, self._drafting, self._pool, self._bus = refresh, drafting, pool, bus

    def _in(self, verb: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Run one service verb in its own unit of work."""
        with self.store.uow() as uow:
            return verb(uow, *args, **kwargs)

    def _tools(self, name: str) -> tuple[SnapshotInfo, snapshot_tools.SnapshotTools]:
        d = self._drafting
        return snapshot_tools.current_tools(
            self.store.uow, name, cache=d.tools, schemas=d.schemas, settings=d.tool_settings
        )

    def _target(self, name: str) -> conns.Target:
        s = self.settings
        return self._in(
            conns.target_for, name, cipher=self.cipher, connect_timeout=s.connect_timeout,
            statement_timeout=s.introspection_timeout,
        )  # fmt: skip

    # connections -------------------------------------------------------------------------------

    def add_connection(
        self, name: str, url: str, *, password: str | None = None, options: ConnectionOptions | None = None
    ) -> ConnectionProfile:
        new = conns.NewConnection(name=name, url=url, password=password, options=options or ConnectionOptions())
        return self._in(conns.add_connection, new, cipher=self.cipher, now=self.clock())

    def list_connections(self) -> list[ConnectionProfile]:
        return self._in(conns.list_connections)

    def get_connection(self, name: str) -> ConnectionProfile:
        return self._in(conns.get_connection, name)

    def set_connection_options(self, name: str, **changes: Any) -> ConnectionProfile:
        profile = self._in(conns.set_options, name, changes, now=self.clock())
        self._bus.changed(profile.name)
        return profile

    def remove_connection(self, name: str, *, force: bool = False) -> int:
        removed = self._in(conns.remove_connection, name, force=force)
        self._bus.changed(name)
        return removed

    def verify_connection(self, name: str) -> VerifyReport:
        return conns.verify_target(self._target(name).config)

    def rotate_keys(self) -> int:
        return self._in(conns.rotate_credentials, cipher=self.cipher)

    def unreadable_credentials(self) -> list[str]:
        """Connections whose stored password no configured key decrypts (``keys generate`` refuses then)."""
        return self._in(conns.unreadable_credentials, cipher=self.cipher)

    def schedules(self) -> dict[str, Schedule]:
        """Each connection's refresh schedule (the default where it sets none)."""
        return {p.name: p.schedule(self.settings.default_refresh) for p in self.list_connections()}

    # snapshots ---------------------------------------------------------------------------------

    def refresh_snapshot(
        self, name: str, *, trigger: str = "manual", progress: Progress = no_progress, only_if_due: bool = False
    ) -> RefreshResult:
        """Snapshot ``name`` now (see :func:`core.services.refresh.refresh_snapshot`)."""
        return refresh.refresh_snapshot(
            self._refresh, name, trigger=trigger, progress=progress, only_if_due=only_if_due
        )

    def add_drift_listener(self, listener: DriftListener) -> None:
        """Call ``listener`` after every refresh that changed the schema (failures are isolated)."""
        self._bus.subscribe(listener)

    def current_snapshot(self, name: str) -> SnapshotInfo:
        return self._in(lambda uow: snapshots.current_snapshot(uow.session, name)[1])

    def current_schema(self, name: str) -> tuple[SnapshotInfo, SchemaModel]:
        """The snapshot in use and its parsed schema (no store query while the tool cache knows them)."""
        info, tools = self._tools(name)
        return info, tools.schema

    def snapshot_status(self, name: str) -> dict[str, Any]:
        return self._in(snapshots.snapshot_status, name, self.clock())

    def list_snapshots(self, name: str) -> list[SnapshotInfo]:
        return self._in(snapshots.list_snapshots, name)

    def diff_snapshots(
        self, name: str, old_id: int | None = None, new_id: int | None = None
    ) -> tuple[SnapshotInfo | None, SnapshotInfo, SchemaDiff]:
        return self._in(snapshots.diff_snapshots, name, old_id, new_id, self._refresh.schemas)

    # validation and search ---------------------------------------------------------------------

    def validator(self, name: str) -> tuple[SnapshotInfo, Validator]:
        """The validator for a connection's snapshot in use (built once per snapshot, then cached)."""
        info, tools = self._tools(name)
        return info, tools.validator

    def retrieval_index(self, name: str) -> RetrievalIndex:
        """The retrieval index of a connection's snapshot in use (built once per snapshot, then cached)."""
        _, tools = self._tools(name)
        return snapshot_tools.retrieval_index(tools, cache=self._drafting.tools, embedder=self._drafting.embedder())

    def validate(
        self,
        sql: str,
        *,
        connection: str | None = None,
        dialect: str | None = None,
        mode: str = "query",
        server_check: bool = False,
        principal: str | None = None,
    ) -> Validation:
        """Validate a script against a connection's snapshot, or against a dialect alone (syntax and risk).

        ``principal`` given (an adapter's caller): the validate rate limit applies to it.
        """
        checks.check_validate_args(connection, dialect, server_check)
        if principal is not None:
            self.take_rate("validate", principal, connection)
        if connection is None:
            return checks.validate_for_dialect(sql, dialect or "", mode, settings=self._drafting.tool_settings)
        _, tools = self._tools(connection)
        server = self._target(connection) if server_check else None
        return checks.validate_for_connection(sql, connection, tools, dialect=dialect, mode=mode, server=server)

    def search_schema(
        self, name: str, query: str, *, limit: int, offset: int = 0
    ) -> tuple[SnapshotInfo, list[tuple[Table, float, str]], int]:
        """Tables ranked for a query (the drafting retrieval, lexical and foreign keys); a page and the total."""
        info, _ = self._tools(name)
        page, total = schema_search.search_tables(self.retrieval_index(name), query, limit=limit, offset=offset)
        return info, page, total

    def describe_table(self, name: str, table: str) -> tuple[SnapshotInfo, Table, list[str], str]:
        """One table of the snapshot: the table, what references it, and its DDL as prompts show it."""
        info, schema = self.current_schema(name)
        return (info, *schema_search.describe_table(schema, table))

    # drafting ----------------------------------------------------------------------------------

    def generator(self) -> Generator:
        """The configured generator (checked on first use; a broken LLM setup is an error, never offline)."""
        return self._drafting.generator()

    def llm_status(self) -> LlmStatus:
        """Which generator drafts and what the LLM settings lack (no network; never raises)."""
        return llm.llm_status(self.settings)

    def llm_check(self) -> LlmCheck:
        """Call the model endpoint's /models and one tiny completion; each finding a line (never raises)."""
        return llm.llm_check(self.settings)

    def create_draft(self, connection: str, request: str, *, mode: str = "query", requester: str) -> str:
        """Record a queued draft after checking everything a user can get wrong; returns its id."""
        parse_mode(mode)
        generator = self.generator().name  # a broken LLM setup is refused before anything is recorded
        self.take_rate("draft", requester, connection)
        return self._in(
            drafting.create_draft, connection, request, mode=mode, requester=requester, generator=generator,
            now=self.clock(),
        )  # fmt: skip

    def run_draft(self, draft_id: str, *, progress: DraftProgress = no_draft_progress) -> Draft:
        """Generate, validate and repair a queued draft in this thread; returns it finished."""
        return drafting.run_draft(self._drafting, draft_id, progress=progress)

    def draft(self, connection: str, request: str, *, mode: str = "query", requester: str) -> Draft:
        """Draft a script now (in this thread) and return the finished draft."""
        return self.run_draft(self.create_draft(connection, request, mode=mode, requester=requester))

    def submit_sql(
        self, connection: str, sql: str, *, mode: str = "query", purpose: str | None = None, requester: str
    ) -> Draft:
        """Put SQL written elsewhere up for review: validated against the snapshot in use, pending review."""
        info, tools = self._tools(connection)  # no snapshot: NoSnapshot, hinting to take one
        return self.get_draft(self._in(
            drafting.submit_sql, connection, sql, mode=mode, purpose=purpose, requester=requester,
            validator=tools.validator, snapshot=info, now=self.clock(),
        ))  # fmt: skip

    def start_draft(
        self,
        draft_id: str,
        *,
        on_done: Callable[[Draft], None] | None = None,
        progress: DraftProgress = no_draft_progress,
    ) -> None:
        """Run a queued draft on the drafting pool; ``progress`` hears its steps, ``on_done`` gets it finished."""
        self._pool.submit(functools.partial(self.run_draft, progress=progress), draft_id, on_done)

    def get_draft(self, draft_id: str) -> Draft:
        return self._in(lambda uow: draft_rows.load_draft(uow.session, draft_id))

    def cancel_draft(self, draft_id: str, *, principal: str = audit.SYSTEM) -> Draft:
        self._in(draft_rows.cancel_draft, draft_id, principal, now=self.clock())
        return self.get_draft(draft_id)

    def retry_draft(
        self,
        draft_id: str,
        *,
        principal: str = audit.SYSTEM,
        wait: bool = True,
        on_done: Callable[[Draft], None] | None = None,
    ) -> Draft:
        """Run a failed draft again (its earlier attempts are kept)."""
        self._in(draft_rows.requeue_for_retry, draft_id, principal, now=self.clock())
        if wait:
            return self.run_draft(draft_id)
        self.start_draft(draft_id.strip().lower(), on_done=on_done)
        return self.get_draft(draft_id)

    def recover_interrupted_drafts(self) -> list[str]:
        """Fail (retryably) the drafts a crashed process left behind."""
        return self._in(draft_rows.recover_interrupted, drafting.stale_after(self.settings), self.clock())

    # review ------------------------------------------------------------------------------------

    def review_policy(self, connection: str) -> ReviewPolicy:
        """The connection's approvers (or SQLDRAFT_APPROVERS) and its four-eyes setting."""
        return self._in(review.review_policy, connection, default_approvers=self.settings.approvers)

    def review(
        self,
        draft_id: str,
        decision: str,
        principal: Principal | str,
        *,
        note: str | None = None,
        final_script: str | None = None,
        allow_invalid: bool = False,
        override: bool = False,
    ) -> ReviewRecord:
        """Approve, reject or edit a draft (see :func:`core.services.review.review`).

        An edit with error findings is refused with :class:`~core.errors.InvalidEdit` unless
        ``allow_invalid`` (or ``override``) is true. A script that failed validation or has critical
        risk is approved only with ``override=True`` and a non-blank ``note``
        (:class:`~core.domain.review.OverrideRequired` says so otherwise).
        """
        draft = self.get_draft(draft_id)
        return self._in(
            review.review, draft.id, decision, Principal.parse(principal), note=note, final_script=final_script,
            policy=self.review_policy(draft.connection), validate=self._edit_validator(draft.connection),
            now=self.clock(), allow_invalid=allow_invalid, override=override,
        )  # fmt: skip

    def _edit_validator(self, connection: str) -> Validate:
        def validate(sql: str, mode: str) -> Validation:
            try:
                _, validator = self.validator(connection)
            except NotFound:
                raise Conflict(
                    f"connection {connection!r} has no snapshot any more, so an edit cannot be "
                    "validated: refresh it or reject the draft"
                ) from None
            return validator.validate(sql, mode)

        return validate

    def reopen(self, draft_id: str, principal: Principal | str, *, note: str | None = None) -> ReviewRecord:
        draft = self.get_draft(draft_id)
        return self._in(
            review.reopen, draft.id, Principal.parse(principal), note=note,
            policy=self.review_policy(draft.connection), now=self.clock(),
        )  # fmt: skip

    # running approved reads --------------------------------------------------------------------

    def run(
        self, draft_id: str, *, principal: str, limit: object = None, max_bytes: int | None = None
    ) -> RunResult:
        """Run an approved read (see :func:`core.services.run.run_draft`); never DML or DDL.

        ``max_bytes`` lowers the byte cap (SQLDRAFT_RUN_MAX_BYTES) for an adapter that must answer small.
        """
        s = self.settings
        if self.rate_limits:
            self.take_rate("run", principal, self.get_draft(draft_id).connection)
        caps = runs.RunCaps(
            default_rows=s.run_max_rows, timeout=s.run_timeout,
            max_bytes=min(s.run_max_bytes, max_bytes or s.run_max_bytes), connect_timeout=s.connect_timeout,
        )  # fmt: skip
        return runs.run_draft(
            self.store.uow, draft_id, principal, limit=limit, now=self.clock(), cipher=self.cipher, caps=caps,
            default_approvers=s.approvers,
        )  # fmt: skip

    def repair_draft(
        self, draft_id: str, *, principal: str, wait: bool = True, on_done: Callable[[Draft], None] | None = None
    ) -> Draft:
        """Ask the generator for a corrected script using the last run's database error (a new revision, pending
        review again); see :func:`core.services.drafts.requeue_for_repair`."""
        draft_id = self.request_repair(draft_id, principal=principal)
        if wait:
            return self.run_draft(draft_id)
        self.start_draft(draft_id, on_done=on_done)
        return self.get_draft(draft_id)

    def request_repair(self, draft_id: str, *, principal: str) -> str:
        """Queue the repair of a draft whose run failed (without starting it); returns the draft's id."""
        self._in(draft_rows.requeue_for_repair, draft_id, principal, now=self.clock())
        return draft_id.strip().lower()

    # history, audit, examples ------------------------------------------------------------------

    def history(self, query: HistoryQuery | None = None) -> HistoryPage:
        return self._in(history.history_page, query or HistoryQuery())

    def history_detail(self, draft_id: str) -> dict[str, Any]:
        """The draft, its attempts, its review trail and its audit events."""
        return self._in(history.history_detail, draft_id)

    def review_trail(self, draft_id: str) -> list[ReviewRecord]:
        """A draft's decisions, oldest first."""
        return self._in(review.trail, draft_id)

    def export_history(self, query: HistoryQuery, fmt: str) -> Iterator[str]:
        with self.store.uow() as uow:
            yield from history.export_history(uow, query, fmt)

    def events(
        self,
        *,
        draft_id: str | None = None,
        kind: str | None = None,
        principal: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[Event]:
        return self._in(audit.list_events, draft_id=draft_id, kind=kind, principal=principal, since=since, limit=limit)

    def list_examples(self, connection: str | None = None, status: str | None = None) -> list[ExampleInfo]:
        return self._in(examples.list_examples, connection, status)

    def add_example(
        self,
        connection: str,
        request: str,
        sql: str,
        *,
        principal: str,
        mode: str = "query",
        negative: bool = False,
        note: str | None = None,
    ) -> ExampleInfo:
        info, validator = self.validator(connection)
        return self._in(
            examples.add_example, connection, request, sql, mode=parse_mode(mode).value, principal=principal,
            negative=negative, note=note, validator=validator, checksum=info.checksum, now=self.clock(),
        )  # fmt: skip

    def remove_example(self, example_id: int, *, principal: str) -> ExampleInfo:
        return self._in(examples.remove_example, example_id, principal, now=self.clock())

    # adapter plumbing --------------------------------------------------------------------------

    def bind_connection(self, scope: str, connection: str, *, principal: str) -> ConnectionProfile:
        """Make ``connection`` the default of an adapter scope (e.g. ``slack:C123``, a channel)."""
        return self._in(bindings.bind_connection, scope, connection, principal=principal, now=self.clock())

    def bound_connection(self, scope: str) -> str | None:
        return self._in(bindings.bound_connection, scope)

    def set_draft_message(self, draft_id: str, channel: str, ts: str) -> None:
        self._in(bindings.set_draft_message, draft_id, channel, ts)

    # review requests (the outbox an adapter drains) ---------------------------------------------

    def claim_review_requests(self, worker: str, limit: int = 10) -> list[ReviewRequest]:
        """Claim due review requests for ``worker`` (one drainer per entry at a time); post each, then report."""
        return self._in(outbox.claim_outbox, worker, self.clock(), limit)

    def review_request_delivered(
        self, request_id: int, channel: str, ts: str, *, worker: str | None = None
    ) -> ReviewRequest:
        """A claimed review request was posted (at ``channel``/``ts``, which become the draft's message)."""
        return self._in(outbox.complete_outbox, request_id, self.clock(), {"channel": channel, "ts": ts}, worker=worker)

    def review_request_failed(self, request_id: int, error: str, *, worker: str | None = None) -> ReviewRequest:
        """A claimed review request could not be posted: retried with backoff; ``error`` goes in the trail."""
        return self._in(outbox.fail_outbox, request_id, self.clock(), error, worker=worker)

    def review_requests(self, draft_id: str) -> list[ReviewRequest]:
        """A draft's review requests and how their delivery went."""
        return self._in(outbox.review_requests, draft_rows.check_draft_id(draft_id))

    def store_revisions(self) -> tuple[str | None, str]:
        """(the store's migration revision, the head this version knows): the health check's question."""
        return self.store.revisions()

    # operations --------------------------------------------------------------------------------------

    def readiness(self, *, scheduler_alive: Callable[[], bool] | None = None) -> HealthStatus:
        """Is this process ready (store reachable, migrations at head, scheduler alive if hosted)."""
        return health.readiness(self.store, scheduler_alive=scheduler_alive)

    def status(self, *, scheduler_alive: Callable[[], bool] | None = None) -> HealthStatus:
        """Readiness plus each connection's last refresh and snapshot age (``sqldraft status``)."""
        status = self.readiness(scheduler_alive=scheduler_alive)
        if status.checks and status.checks[0].ok:
            status.connections = self._in(health.connection_freshness, self.clock())
        return status

    @functools.cached_property
    def rate_limits(self) -> list[RateLimit]:
        """The limits SQLDRAFT_RATE_LIMITS sets (checked when the settings were read)."""
        return parse_rate_limits(self.settings.rate_limits)

    def take_rate(self, action: str, principal: str, connection: str | None) -> None:
        """Count one ``action`` by ``principal``; :class:`core.errors.RateLimited` (audited) when over a limit."""
        if self.rate_limits:
            self._in(rate_limits.take, action, principal, connection, self.rate_limits, self.clock())

    def metrics_text(self) -> str:
        """Prometheus text for GET /metrics: drafts, validations, model use, refreshes, refusals, outbox, pools."""
        from core.metrics import metrics_text

        return self._in(metrics_text, [health.pool_stats(self.store)])

    def metrics_enabled(self, host: str) -> bool:
        """Whether an HTTP server bound to ``host`` serves /metrics (SQLDRAFT_METRICS; auto: loopback only)."""
        mode = self.settings.metrics
        return mode == "on" or (mode == "auto" and host in ("127.0.0.1", "::1", "localhost"))

    def first_sighting(self, key: str) -> bool:
        """Record a signed request's key; False when it was already handled within the replay window."""
        return self._in(requests_seen.first_sighting, key, self.clock())

    def close(self) -> None:
        self._pool.shutdown()
        self.store.dispose()


__all__ = ["Copilot", "DriftEvent", "UnitOfWork"]
