"""The Copilot: the one object every adapter (CLI, Slack, MCP) drives."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from core.crypto import Cipher
from core.domain.connections import ConnectionOptions, ConnectionProfile, Schedule
from core.domain.diff import SchemaDiff
from core.domain.drafts import Draft, DraftStatus, clean_request
from core.domain.review import Principal, ReviewPolicy, ReviewStatus, parse_principals
from core.domain.schema import SchemaModel, Table
from core.errors import Conflict, Hint, InvalidInput, NotFound, SqldraftError
from core.generation.examples import ExampleSource
from core.generation.generators import Generator, make_generator
from core.generation.pipeline import run_pipeline
from core.generation.prompt import Task
from core.generation.render import render_table
from core.generation.retrieval import Embedder, RetrievalIndex
from core.incidents import report_incident
from core.introspection import Progress, no_progress
from core.services import connections as conn_svc
from core.services import drafts as draft_svc
from core.services import review as review_svc
from core.services import snapshots as snap_svc
from core.services.audit import SYSTEM, Event, list_events, record_event
from core.services.examples import (
    ExampleInfo,
    StoreExampleSource,
    add_example,
    list_examples,
    remove_example,
    revalidate_examples,
)
from core.services.history import HistoryPage, HistoryQuery, export_rows, history_page, to_csv, to_jsonl
from core.services.leases import acquire_lease, lease_holder, release_lease
from core.services.schema_search import find_table, referenced_by
from core.settings import Settings
from core.store import Store
from core.store.models import BindingRow, ConnectionRow, DraftRow, utcnow
from core.textfmt import age_words
from core.validation.context import Settings as ValidationSettings
from core.validation.engine import Validator, parse_dialect, parse_mode
from core.validation.model import Validation
from core.validation.names import SchemaIndex
from core.validation.server_check import check_on_server

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DriftEvent:
    """A refresh that found the schema changed."""

    connection: str
    notify_channel: str | None
    snapshot: snap_svc.SnapshotInfo
    diff: SchemaDiff
    trigger: str
    details: dict[str, Any]
    """What later features add (examples made stale, drafts awaiting review on changed tables)."""


DriftListener = Callable[[DriftEvent], None]


@dataclass(slots=True)
class SnapshotTools:
    """What is built once per snapshot and reused by every request."""

    schema: SchemaModel
    validator: Validator
    retrieval: RetrievalIndex | None


class Copilot:
    """sqldraft's operations over one store."""

    def __init__(
        self, settings: Settings, store: Store, cipher: Cipher, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.settings = settings
        self.store = store
        self.cipher = cipher
        self.clock = clock
        self.snapshot_cache = snap_svc.SnapshotCache()
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._drift_listeners: list[DriftListener] = []
        self._tools_cache: OrderedDict[tuple[int, str, frozenset[str]], SnapshotTools] = OrderedDict()
        self._tools_lock = threading.RLock()
        self.examples: ExampleSource = StoreExampleSource(store)
        self._generator: Generator | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    # connections -------------------------------------------------------------------------------

    def add_connection(
        self, name: str, url: str, *, password: str | None = None, options: ConnectionOptions | None = None
    ) -> ConnectionProfile:
        new = conn_svc.NewConnection(name=name, url=url, password=password, options=options or ConnectionOptions())
        with self.store.uow() as uow:
            return conn_svc.add_connection(new, uow=uow, cipher=self.cipher)

    def list_connections(self) -> list[ConnectionProfile]:
        with self.store.session() as session:
            return conn_svc.list_connections(session=session)

    def get_connection(self, name: str) -> ConnectionProfile:
        with self.store.session() as session:
            row = conn_svc.find_connection(session, name)
            snaps = conn_svc.current_snapshot_rows(session, [row])
            return conn_svc.to_profile(row, snaps.get(row.id))

    def set_connection_options(self, name: str, **changes: Any) -> ConnectionProfile:
        with self.store.uow() as uow:
            return conn_svc.set_options(name, changes, uow=uow)

    def remove_connection(self, name: str, *, force: bool = False) -> int:
        with self.store.uow() as uow:
            return conn_svc.remove_connection(name, force=force, uow=uow)

    def _target(self, name: str) -> tuple[int, conn_svc.TargetConfig, dict[str, Any]]:
        with self.store.session() as session:
            row = conn_svc.find_connection(session, name)
            target = conn_svc.target_config(
                row,
                self.cipher,
                connect_timeout=self.settings.connect_timeout,
                statement_timeout=self.settings.introspection_timeout,
            )
            return row.id, target, dict(row.options or {})

    def verify_connection(self, name: str) -> conn_svc.VerifyReport:
        _, target, _ = self._target(name)
        return conn_svc.verify_target(target)

    def rotate_keys(self) -> int:
        with self.store.uow() as uow:
            return conn_svc.rotate_credentials(uow=uow, cipher=self.cipher)

    # snapshots ---------------------------------------------------------------------------------

    def refresh_lease_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.introspection_timeout + self.settings.connect_timeout + 60)

    def refresh_snapshot(
        self, name: str, *, trigger: str = "manual", progress: Progress = no_progress, only_if_due: bool = False
    ) -> snap_svc.RefreshResult:
        """Snapshot ``name`` now; one refresh per connection at a time across processes.

        With ``only_if_due`` (the scheduler), a connection that is not due, or that another process
        is refreshing, is left alone: the result's status is ``skipped`` and its reason says why.

        Raises:
            Conflict: another process is refreshing this connection (manual refreshes).
        """
        conn_id, target, options = self._target(name)
        lease = f"refresh:{conn_id}"
        if not acquire_lease(self.store, lease, self.instance_id, self.refresh_lease_ttl(), self.clock()):
            if only_if_due:
                return self._skipped(name, trigger, "another process is refreshing it")
            holder = lease_holder(self.store, lease, self.clock()) or "another process"
            raise Conflict(f"a refresh of {name!r} is already running ({holder}): try again when it finishes")
        try:
            not_due = self._not_due_reason(name) if only_if_due else None
            if not_due is not None:
                return self._skipped(name, trigger, not_due)
            result = snap_svc.take_snapshot(
                self.store,
                conn_id,
                name,
                target,
                options,
                trigger=trigger,
                progress=progress,
                cache=self.snapshot_cache,
            )
        finally:
            release_lease(self.store, lease, self.instance_id)
        if result.status == "changed" and result.snapshot is not None and result.diff is not None:
            try:
                details = self._drift_details(name, result.diff)
            except SqldraftError as exc:
                details = {"error": str(exc)}
            self._publish_drift(
                DriftEvent(
                    connection=name,
                    notify_channel=ConnectionOptions.from_dict(options).notify_channel,
                    snapshot=result.snapshot,
                    diff=result.diff,
                    trigger=trigger,
                    details=details,
                )
            )
        return result

    def _skipped(self, name: str, trigger: str, reason: str) -> snap_svc.RefreshResult:
        log.info("refresh of %s skipped: %s", name, reason)
        return snap_svc.RefreshResult(name, "skipped", None, None, None, 0, trigger, reason=reason)

    def _not_due_reason(self, name: str) -> str | None:
        """Why ``name`` is not due for a scheduled refresh, or None when it is."""
        profile = self.get_connection(name)
        if profile.last_refresh is None:
            return None
        schedule = profile.schedule(self.settings.default_refresh)
        since = self.clock() - profile.last_refresh.at
        # cron schedules fire at fixed times; a run within the last minute is the same firing
        window = 60.0 if schedule.interval_seconds is None else schedule.interval_seconds / 2
        if since.total_seconds() > window:
            return None
        return f"not due: last refreshed {age_words(since.total_seconds())} ago (schedule {schedule})"

    def add_drift_listener(self, listener: DriftListener) -> None:
        """Call ``listener`` after every refresh that changed the schema (failures are isolated)."""
        self._drift_listeners.append(listener)

    def _publish_drift(self, event: DriftEvent) -> None:
        for listener in self._drift_listeners:
            try:
                listener(event)
            except Exception as exc:
                report_incident(log, exc, f"drift listener {getattr(listener, '__name__', listener)!r}")

    def current_snapshot(self, name: str) -> snap_svc.SnapshotInfo:
        with self.store.session() as session:
            return snap_svc.current_snapshot(session, name)[1]

    def current_schema(self, name: str) -> tuple[snap_svc.SnapshotInfo, SchemaModel]:
        """The snapshot in use for ``name`` and its parsed schema (cached per snapshot).

        Raises:
            NotFound: unknown connection or no snapshot yet.
        """
        with self.store.session() as session:
            _, info = snap_svc.current_snapshot(session, name)
            return info, snap_svc.load_schema(
                session, info.id, self.snapshot_cache, stats_key=info.last_seen_at.isoformat()
            )

    def snapshot_status(self, name: str) -> dict[str, Any]:
        """What `snapshot show` reports: the snapshot in use, the last refresh and recent ones."""
        with self.store.session() as session:
            row = conn_svc.find_connection(session, name)
            snaps = conn_svc.current_snapshot_rows(session, [row])
            profile = conn_svc.to_profile(row, snaps.get(row.id))
            info = snap_svc.current_snapshot(session, name)[1] if row.current_snapshot_id else None
            return {
                "connection": profile.to_dict(),
                "snapshot": info.to_dict() if info else None,
                "age_seconds": info.age_seconds(self.clock()) if info else None,
                "recent_refreshes": snap_svc.recent_refreshes(session, row.id),
            }

    def list_snapshots(self, name: str) -> list[snap_svc.SnapshotInfo]:
        with self.store.session() as session:
            return snap_svc.list_snapshots(session, name)

    def diff_snapshots(
        self, name: str, old_id: int | None = None, new_id: int | None = None
    ) -> tuple[snap_svc.SnapshotInfo | None, snap_svc.SnapshotInfo, SchemaDiff]:
        with self.store.session() as session:
            return snap_svc.diff_snapshots(session, name, old_id, new_id, self.snapshot_cache)

    # validation --------------------------------------------------------------------------------

    def _tools(self, name: str) -> tuple[snap_svc.SnapshotInfo, SnapshotTools]:
        """The snapshot in use and what is built from it once (validator, retrieval index), cached."""
        with self.store.session() as session:  # the snapshot in use and the connection's options, one read
            conn, info = snap_svc.current_snapshot(session, name)
            safe = frozenset(ConnectionOptions.from_dict(conn.options).extra.get("safe_functions") or ())
            key = (info.id, info.last_seen_at.isoformat(), safe)
            with self._tools_lock:
                cached = self._tools_cache.get(key)
                if cached is not None:
                    self._tools_cache.move_to_end(key)
                    return info, cached
            # only on a miss: the schema blob (the snapshot cache may still hold it decoded)
            schema = snap_svc.load_schema(session, info.id, self.snapshot_cache, stats_key=key[1])
        validator = Validator(
            SchemaIndex(schema),
            settings=replace(self.validation_settings(), safe_functions=safe),
            max_chars=self.settings.max_sql_chars,
            checksum=info.checksum,
        )
        tools = SnapshotTools(schema=schema, validator=validator, retrieval=None)
        with self._tools_lock:
            self._tools_cache[key] = tools
            while len(self._tools_cache) > 8:
                self._tools_cache.popitem(last=False)
        return info, tools

    def validator(self, name: str) -> tuple[snap_svc.SnapshotInfo, Validator]:
        """The validator for a connection's snapshot in use (built once per snapshot, then cached)."""
        info, tools = self._tools(name)
        return info, tools.validator

    def retrieval_index(self, name: str) -> RetrievalIndex:
        """The retrieval index of a connection's snapshot in use (built once per snapshot, then cached)."""
        _, tools = self._tools(name)
        with self._tools_lock:
            if tools.retrieval is None:
                tools.retrieval = RetrievalIndex.build(tools.schema, self._embedder())
            return tools.retrieval

    def _embedder(self) -> Embedder | None:
        if self.settings.retrieval != "hybrid":
            return None
        from core.generation.embeddings import load_embedder

        return load_embedder()

    def validation_settings(self) -> ValidationSettings:
        return ValidationSettings(
            large_table_rows=self.settings.large_table_rows, large_offset=self.settings.large_offset
        )

    def validate(
        self,
        sql: str,
        *,
        connection: str | None = None,
        dialect: str | None = None,
        mode: str = "query",
        server_check: bool = False,
    ) -> Validation:
        """Validate a script against a connection's snapshot, or against a dialect alone (syntax and risk).

        Raises:
            InvalidInput: no connection and no dialect, empty text, unknown mode or dialect.
            TooLarge: over SQLDRAFT_MAX_SQL_CHARS.
            NotFound: unknown connection, or no snapshot yet.
        """
        parsed_mode = parse_mode(mode)
        if connection is None:
            if dialect is None:
                raise InvalidInput("no connection and no dialect to check against", hints=[Hint.GIVE_DIALECT])
            if server_check:
                raise InvalidInput("the server-side check needs a connection")
            validator = Validator(
                SchemaIndex.without_snapshot(parse_dialect(dialect)),
                settings=self.validation_settings(),
                max_chars=self.settings.max_sql_chars,
            )
            return validator.validate(sql, parsed_mode)
        _, validator = self.validator(connection)
        if dialect is not None and parse_dialect(dialect) is not validator.dialect:
            raise InvalidInput(
                f"connection {connection!r} is {validator.dialect.value}, not {dialect}", hints=[Hint.OMIT_DIALECT]
            )
        result = validator.validate(sql, parsed_mode)
        if server_check:
            _, target, _ = self._target(connection)
            positions = [(s.index, s.text, s.line, s.column) for s in result.statements]
            check_on_server(result, target, positions)
        return result

    def search_schema(
        self, name: str, query: str, *, limit: int, offset: int = 0
    ) -> tuple[snap_svc.SnapshotInfo, list[tuple[Table, float, str]], int]:
        """Tables ranked for a query (the drafting retrieval, lexical and foreign keys); a page and the total."""
        if not query or not query.strip():
            raise InvalidInput("the search query is blank: give words such as 'orders customer'")
        info, _ = self.current_schema(name)
        index = self.retrieval_index(name)
        ranked = index.rank(query)
        page = [(index.by_key[key].table, score, reason) for key, score, reason in ranked[offset : offset + limit]]
        return info, page, len(ranked)

    def describe_table(self, name: str, table: str) -> tuple[snap_svc.SnapshotInfo, Table, list[str], str]:
        """One table of the snapshot: the table, what references it, and its DDL as prompts show it.

        Raises:
            NotFound: no such table (with close names).
        """
        info, schema = self.current_schema(name)
        found = find_table(schema, table)
        qualify = len({t.schema for t in schema.tables}) > 1
        return info, found, referenced_by(schema, found), render_table(found, schema.dialect, qualify=qualify)

    def schedules(self) -> dict[str, Schedule]:
        """Each connection's refresh schedule (the default where it sets none)."""
        return {p.name: p.schedule(self.settings.default_refresh) for p in self.list_connections()}

    # drafting ----------------------------------------------------------------------------------

    def generator(self) -> Generator:
        """The configured generator (checked on first use; a broken LLM setup is an error, never offline)."""
        if self._generator is None:
            self._generator = make_generator(self.settings)
        return self._generator

    def create_draft(self, connection: str, request: str, *, mode: str = "query", requester: str) -> str:
        """Record a queued draft after checking everything a user can get wrong; returns its id.

        Raises:
            InvalidInput: blank or over-long request, unknown mode.
            NotFound: unknown connection, no snapshot yet.
            ConfigurationError: the LLM generator is selected but not configured.
        """
        text = clean_request(request)
        parsed_mode = parse_mode(mode)
        generator = self.generator()
        with self.store.session() as session:
            row, info = snap_svc.current_snapshot(session, connection)
            conn_id, conn_name = row.id, row.name
        return draft_svc.create_draft(
            self.store,
            connection_id=conn_id,
            connection_name=conn_name,
            snapshot=info,
            request=text,
            mode=parsed_mode.value,
            requester=requester,
            generator=generator.name,
        )

    def run_draft(self, draft_id: str) -> Draft:
        """Generate, validate and repair a queued draft in this thread; returns it finished."""
        draft = self.get_draft(draft_id)
        if not draft_svc.start_draft(self.store, draft.id, self.instance_id):
            return self.get_draft(draft.id)
        try:
            self._generate(draft)
        except SqldraftError as exc:
            draft_svc.fail_draft(self.store, draft.id, str(exc))
        except Exception as exc:
            incident = report_incident(log, exc, f"draft {draft.id}")
            draft_svc.fail_draft(self.store, draft.id, f"drafting failed unexpectedly (incident {incident})")
        return self.get_draft(draft.id)

    def _generate(self, draft: Draft) -> None:
        info, tools = self._tools(draft.connection)
        index = self.retrieval_index(draft.connection)
        examples = self.examples.relevant(draft.connection, draft.request, 3)
        retrieved = index.retrieve(
            draft.request, self.settings.retrieval_token_budget, [e for e in examples if not e.negative]
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
        )
        outcome = run_pipeline(
            task,
            self.generator(),
            tools.validator,
            max_repairs=self.settings.max_repair_attempts,
            on_attempt=lambda record: draft_svc.record_attempt(self.store, draft.id, record),
            canceled=lambda: draft_svc.is_canceled(self.store, draft.id),
            first_number=draft.attempt_count + 1,
        )
        references = retrieved.to_references() | {
            "examples": [{"id": e.id, "request": e.request, "negative": e.negative} for e in examples],
            "snapshot": {"id": info.id, "checksum": info.checksum, "confirmed_at": info.last_seen_at.isoformat()},
        }
        if outcome.status is not DraftStatus.CANCELED:
            draft_svc.finish_draft(self.store, draft.id, outcome, references)

    def draft(self, connection: str, request: str, *, mode: str = "query", requester: str) -> Draft:
        """Draft a script now (in this thread) and return the finished draft."""
        return self.run_draft(self.create_draft(connection, request, mode=mode, requester=requester))

    def start_draft(self, draft_id: str, *, on_done: Callable[[Draft], None] | None = None) -> None:
        """Run a queued draft on the drafting pool; ``on_done`` gets it finished."""
        self._pool().submit(self._run_and_notify, draft_id, on_done)

    def _run_and_notify(self, draft_id: str, on_done: Callable[[Draft], None] | None) -> None:
        draft = self.run_draft(draft_id)
        if on_done is not None:
            try:
                on_done(draft)
            except Exception as exc:
                report_incident(log, exc, f"notifying about draft {draft_id}")

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.settings.draft_workers, thread_name_prefix="sqldraft-draft"
                )
            return self._executor

    def get_draft(self, draft_id: str) -> Draft:
        with self.store.session() as session:
            return draft_svc.load_draft(session, draft_id)

    def cancel_draft(self, draft_id: str, *, principal: str = SYSTEM) -> Draft:
        draft_svc.cancel_draft(self.store, draft_id, principal)
        return self.get_draft(draft_id)

    def retry_draft(
        self,
        draft_id: str,
        *,
        principal: str = SYSTEM,
        wait: bool = True,
        on_done: Callable[[Draft], None] | None = None,
    ) -> Draft:
        """Run a failed draft again (its earlier attempts are kept)."""
        draft_svc.requeue_for_retry(self.store, draft_id, principal)
        if wait:
            return self.run_draft(draft_id)
        self._pool().submit(self._run_and_notify, draft_id.strip().lower(), on_done)
        return self.get_draft(draft_id)

    # review, history, examples, audit ---------------------------------------------------------

    def review_policy(self, connection: str) -> ReviewPolicy:
        """The connection's approvers (or SQLDRAFT_APPROVERS) and its four-eyes setting."""
        with self.store.session() as session:
            row = session.scalars(select(ConnectionRow).where(ConnectionRow.name == connection)).first()
            extra = ConnectionOptions.from_dict(row.options).extra if row is not None else {}
        approvers = extra.get("approvers") or parse_principals(self.settings.approvers)
        return ReviewPolicy(approvers=list(approvers), allow_self_approval=bool(extra.get("allow_self_approval")))

    def review(
        self,
        draft_id: str,
        decision: str,
        principal: Principal | str,
        *,
        note: str | None = None,
        final_script: str | None = None,
    ) -> review_svc.ReviewRecord:
        """Approve, reject or edit a draft (see core.services.review.review)."""
        who = Principal.parse(principal)
        draft = self.get_draft(draft_id)

        def validate(sql: str, mode: str) -> Validation:
            try:
                _, validator = self.validator(draft.connection)
            except NotFound:
                raise Conflict(
                    f"connection {draft.connection!r} has no snapshot any more, so an edit cannot be "
                    "validated: refresh it or reject the draft"
                ) from None
            return validator.validate(sql, mode)

        return review_svc.review(
            self.store,
            draft.id,
            decision,
            who,
            note=note,
            final_script=final_script,
            policy=self.review_policy(draft.connection),
            validate=validate,
        )

    def reopen(self, draft_id: str, principal: Principal | str, *, note: str | None = None) -> review_svc.ReviewRecord:
        who = Principal.parse(principal)
        draft = self.get_draft(draft_id)
        return review_svc.reopen(self.store, draft.id, who, note=note, policy=self.review_policy(draft.connection))

    def history(self, query: HistoryQuery | None = None) -> HistoryPage:
        with self.store.session() as session:
            return history_page(session, query or HistoryQuery())

    def history_detail(self, draft_id: str) -> dict[str, Any]:
        """The draft, its attempts, its review trail and its audit events."""
        draft = self.get_draft(draft_id)
        with self.store.session() as session:
            events = list_events(session, draft_id=draft.id, limit=500)
        return {
            "draft": draft.to_dict(),
            "reviews": [r.to_dict() for r in review_svc.trail(self.store, draft.id)],
            "events": [e.to_dict() for e in events],
        }

    def export_history(self, query: HistoryQuery, fmt: str) -> Iterator[str]:
        if fmt not in ("jsonl", "csv"):
            raise InvalidInput(f"unknown export format {fmt!r}: use jsonl or csv")
        with self.store.session() as session:
            rows = export_rows(session, query)
            yield from (to_jsonl(rows) if fmt == "jsonl" else to_csv(rows))

    def events(
        self,
        *,
        draft_id: str | None = None,
        kind: str | None = None,
        principal: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[Event]:
        if not 1 <= limit <= 10_000:
            raise InvalidInput("limit is out of range: use 1 to 10000")
        with self.store.session() as session:
            return list_events(session, draft_id=draft_id, kind=kind, principal=principal, since=since, limit=limit)

    def list_examples(self, connection: str | None = None, status: str | None = None) -> list[ExampleInfo]:
        return list_examples(self.store, connection, status)

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
        return add_example(
            self.store,
            connection,
            request,
            sql,
            mode=parse_mode(mode).value,
            principal=principal,
            negative=negative,
            note=note,
            validator=validator,
            checksum=info.checksum,
        )

    def remove_example(self, example_id: int, *, principal: str) -> ExampleInfo:
        return remove_example(self.store, example_id, principal)

    def _drift_details(self, name: str, diff: SchemaDiff) -> dict[str, Any]:
        """After a changed snapshot: re-validate examples; list drafts awaiting review on changed tables."""
        info, validator = self.validator(name)
        stale, revived = revalidate_examples(self.store, name, validator, info.checksum)
        changed = diff.changed_tables()
        awaiting = []
        with self.store.session() as session:
            rows = session.execute(
                select(DraftRow.id, DraftRow.request_text, DraftRow.impacted_objects).where(
                    DraftRow.connection_name == name,
                    DraftRow.status == DraftStatus.COMPLETED.value,
                    DraftRow.review_status == ReviewStatus.PENDING.value,
                )
            ).all()
        for draft_id, request, impacted in rows:
            touched = sorted({o["name"] for o in impacted or [] if o.get("name") in changed})
            if touched:
                awaiting.append({"id": draft_id, "request": request, "tables": touched})
        return {
            "stale_examples": [e.to_dict() for e in stale],
            "revived_examples": [e.to_dict() for e in revived],
            "drafts_awaiting_review": awaiting,
        }

    # adapter plumbing ----------------------------------------------------------------------------

    def bind_connection(self, scope: str, connection: str, *, principal: str) -> ConnectionProfile:
        """Make ``connection`` the default of an adapter scope (e.g. ``slack:C123``, a channel)."""
        with self.store.uow() as uow:
            row = conn_svc.find_connection(uow.session, connection)
            existing = uow.session.get(BindingRow, scope)
            if existing is None:
                uow.session.add(BindingRow(scope=scope, connection_id=row.id, set_by=principal, set_at=utcnow()))
            else:
                existing.connection_id, existing.set_by, existing.set_at = row.id, principal, utcnow()
            record_event(uow.session, "binding.set", principal, connection=row.name, detail={"scope": scope})
            profile = conn_svc.to_profile(row)
            uow.commit()
        return profile

    def bound_connection(self, scope: str) -> str | None:
        """The default connection of an adapter scope, if one was bound."""
        with self.store.session() as session:
            return session.scalar(
                select(ConnectionRow.name)
                .join(BindingRow, BindingRow.connection_id == ConnectionRow.id)
                .where(BindingRow.scope == scope)
            )

    def set_draft_message(self, draft_id: str, channel: str, ts: str) -> None:
        """Remember where an adapter shows a draft (Slack channel and message timestamp)."""
        with self.store.uow() as uow:
            uow.session.execute(
                update(DraftRow).where(DraftRow.id == draft_id).values(slack_channel=channel, slack_ts=ts)
            )
            uow.commit()

    def recover_interrupted_drafts(self) -> list[str]:
        """Fail (retryably) the drafts a crashed process left behind."""
        stale = timedelta(
            seconds=max(
                self.settings.draft_stale_seconds,
                self.settings.llm_timeout * (self.settings.max_repair_attempts + 1) + 60,
            )
        )
        return draft_svc.recover_interrupted(self.store, stale, self.clock())

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self.store.dispose()
