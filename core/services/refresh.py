"""Refresh: snapshot a connection now, one refresh per connection at a time across processes (a lease).

A refresh that changes the schema re-validates the connection's examples, lists the drafts awaiting
review on the changed tables and publishes a :class:`~core.events.DriftEvent`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.crypto import Cipher
from core.domain.connections import ConnectionOptions
from core.domain.diff import SchemaDiff
from core.domain.drafts import DraftStatus
from core.domain.review import ReviewStatus
from core.domain.snapshots import RefreshResult
from core.errors import Conflict, SqldraftError
from core.events import DriftEvent, EventBus
from core.introspection import Progress, no_progress
from core.services.connections import get_connection, target_for
from core.services.examples import revalidate_examples
from core.services.leases import acquire_lease, lease_holder, release_lease
from core.services.snapshots import SnapshotCache, take_snapshot
from core.services.tools import ToolCache, ToolSettings, snapshot_tools
from core.settings import Settings
from core.store import Clock, UnitOfWork, UowFactory
from core.store.models import DraftRow
from core.textfmt import age_words

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RefreshDeps:
    """What a refresh works with (built once in core.bootstrap)."""

    uows: UowFactory
    cipher: Cipher
    settings: Settings
    clock: Clock
    holder: str
    """This process, as lease holder (host:pid:nonce)."""
    schemas: SnapshotCache
    tools: ToolCache
    tool_settings: ToolSettings
    bus: EventBus


def lease_ttl(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.introspection_timeout + settings.connect_timeout + 60)


def refresh_snapshot(
    deps: RefreshDeps,
    name: str,
    *,
    trigger: str = "manual",
    progress: Progress = no_progress,
    only_if_due: bool = False,
) -> RefreshResult:
    """Snapshot ``name`` now.

    With ``only_if_due`` (the scheduler), a connection that is not due, or that another process is
    refreshing, is left alone: the result's status is ``skipped`` and its reason says why.

    Raises:
        Conflict: another process is refreshing this connection (manual refreshes).
    """
    with deps.uows() as uow:
        target = target_for(
            uow,
            name,
            cipher=deps.cipher,
            connect_timeout=deps.settings.connect_timeout,
            statement_timeout=deps.settings.introspection_timeout,
        )
        lease = f"refresh:{target.id}"
        if not acquire_lease(uow, lease, deps.holder, lease_ttl(deps.settings), deps.clock()):
            if only_if_due:
                return _skipped(name, trigger, "another process is refreshing it")
            holder = lease_holder(uow, lease, deps.clock()) or "another process"
            raise Conflict(f"a refresh of {name!r} is already running ({holder}): try again when it finishes")
        try:
            not_due = not_due_reason(uow, name, deps.settings, deps.clock) if only_if_due else None
            uow.rollback()
            if not_due is not None:
                return _skipped(name, trigger, not_due)
            result = take_snapshot(
                deps.uows,
                target.id,
                name,
                target.config,
                target.options,
                trigger=trigger,
                progress=progress,
                cache=deps.schemas,
                clock=deps.clock,
            )
        finally:
            release_lease(uow, lease, deps.holder)
    if result.status != "skipped":
        deps.bus.changed(name)
    if result.status == "changed" and result.snapshot is not None and result.diff is not None:
        deps.bus.publish(
            DriftEvent(
                connection=name,
                notify_channel=ConnectionOptions.from_dict(target.options).notify_channel,
                snapshot=result.snapshot,
                diff=result.diff,
                trigger=trigger,
                details=_details_or_error(deps, name, result.diff),
            )
        )
    return result


def _skipped(name: str, trigger: str, reason: str) -> RefreshResult:
    log.info("refresh of %s skipped: %s", name, reason)
    return RefreshResult(connection=name, status="skipped", trigger=trigger, reason=reason)


def not_due_reason(uow: UnitOfWork, name: str, settings: Settings, clock: Clock) -> str | None:
    """Why ``name`` is not due for a scheduled refresh, or None when it is."""
    profile = get_connection(uow, name)
    if profile.last_refresh is None:
        return None
    schedule = profile.schedule(settings.default_refresh)
    since = clock() - profile.last_refresh.at
    # cron schedules fire at fixed times; a run within the last minute is the same firing
    window = 60.0 if schedule.interval_seconds is None else schedule.interval_seconds / 2
    if since.total_seconds() > window:
        return None
    return f"not due: last refreshed {age_words(since.total_seconds())} ago (schedule {schedule})"


def _details_or_error(deps: RefreshDeps, name: str, diff: SchemaDiff) -> dict[str, Any]:
    try:
        with deps.uows() as uow:
            return drift_details(uow, name, diff, deps)
    except SqldraftError as exc:
        return {"error": str(exc)}


def drift_details(uow: UnitOfWork, name: str, diff: SchemaDiff, deps: RefreshDeps) -> dict[str, Any]:
    """After a changed snapshot: re-validate examples; list drafts awaiting review on changed tables."""
    info, tools = snapshot_tools(uow, name, cache=deps.tools, schemas=deps.schemas, settings=deps.tool_settings)
    stale, revived = revalidate_examples(uow, name, tools.validator, info.checksum, now=deps.clock())
    changed = diff.changed_tables()
    rows = uow.session.execute(
        select(DraftRow.id, DraftRow.request_text, DraftRow.impacted_objects).where(
            DraftRow.connection_name == name,
            DraftRow.status == DraftStatus.COMPLETED.value,
            DraftRow.review_status == ReviewStatus.PENDING.value,
        )
    ).all()
    awaiting = []
    for draft_id, request, impacted in rows:
        touched = sorted({o["name"] for o in impacted or [] if o.get("name") in changed})
        if touched:
            awaiting.append({"id": draft_id, "request": request, "tables": touched})
    return {
        "stale_examples": [e.to_dict() for e in stale],
        "revived_examples": [e.to_dict() for e in revived],
        "drafts_awaiting_review": awaiting,
    }
