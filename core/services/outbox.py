"""The outbox: review requests that an adapter (the Slack app) delivers, through the store.

A draft that needs review and whose connection has a review channel gets one entry, in the same
transaction that made it reviewable. Any number of drainers (processes, replicas) claim entries with a
conditional UPDATE, so no two hold one entry at once; a claim expires after ``claim_seconds`` so an entry
a crashed drainer held is claimed again. A delivery is recorded once; a failure is retried with
exponential backoff until ``MAX_ATTEMPTS``, each failure an audit event on the draft's trail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from core.domain.connections import ConnectionOptions
from core.domain.review import ReviewRequest
from core.errors import Conflict, InvalidInput, NotFound
from core.services.audit import SYSTEM, record_event
from core.store import UnitOfWork
from core.store.models import BindingRow, ConnectionRow, DraftRow, OutboxRow

REVIEW_REQUEST = "review_request"
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 3600
CLAIM_SECONDS = 60
MAX_ERROR_CHARS = 500
SLACK_SCOPE = "slack:"
"""Binding scopes of Slack channels (``slack:C123``); the core only reads the channel id back."""


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 10 s, 20 s, 40 s ... at most 1 h.

    >>> [int(backoff(n).total_seconds()) for n in (1, 2, 3, 12)]
    [10, 20, 40, 3600]
    """
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def review_channel(session: Session, connection_id: int | None) -> str | None:
    """Where a connection's review requests go: its ``review_channel``, else the channel bound to it, if any.

    With several bound channels the one bound first is used (a review channel makes it explicit).
    """
    if connection_id is None:
        return None
    conn = session.get(ConnectionRow, connection_id)
    if conn is None:
        return None
    configured = ConnectionOptions.from_dict(conn.options).extra.get("review_channel")
    if configured:
        return str(configured)
    scope = session.scalar(
        select(BindingRow.scope)
        .where(BindingRow.connection_id == connection_id, BindingRow.scope.startswith(SLACK_SCOPE))
        .order_by(BindingRow.set_at, BindingRow.scope)
        .limit(1)
    )
    return scope.removeprefix(SLACK_SCOPE) if scope else None


def enqueue_review_request(session: Session, draft_id: str, *, now: datetime) -> str | None:
    """Within the transaction that made a draft reviewable: queue its review request; returns the channel.

    Nothing is queued when the connection has no review channel, when the draft was requested in Slack
    (its review message is already where it was asked), or when the draft has a request already.
    """
    row = session.get(DraftRow, draft_id)
    if row is None or row.requester.startswith(SLACK_SCOPE):
        return None
    channel = review_channel(session, row.connection_id)
    if channel is None:
        return None
    exists = session.scalar(
        select(OutboxRow.id).where(OutboxRow.kind == REVIEW_REQUEST, OutboxRow.draft_id == draft_id)
    )
    if exists is not None:
        return None
    session.add(
        OutboxRow(
            kind=REVIEW_REQUEST,
            draft_id=draft_id,
            connection_name=row.connection_name,
            channel=channel,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    record_event(
        session,
        "review_request.queued",
        SYSTEM,
        draft_id=draft_id,
        connection=row.connection_name,
        detail={"channel": channel},
        at=now,
    )
    return channel


def claim_outbox(
    uow: UnitOfWork, worker: str, now: datetime, limit: int, *, claim_seconds: int = CLAIM_SECONDS
) -> list[ReviewRequest]:
    """Claim up to ``limit`` due entries for ``worker``; an entry is claimed by one worker at a time.

    Each claim is a conditional UPDATE (still pending, unclaimed or its claim expired), so of two
    drainers racing for an entry exactly one gets it, on SQLite and on PostgreSQL alike.

    Raises:
        InvalidInput: a blank worker or a limit outside 1 to 100.
    """
    worker = (worker or "").strip()
    if not worker or len(worker) > 200:
        raise InvalidInput("a drainer needs a worker name of 1 to 200 characters")
    if not 1 <= limit <= 100:
        raise InvalidInput("limit is out of range: claim 1 to 100 entries at a time")
    claimable = and_(
        OutboxRow.status == PENDING,
        OutboxRow.next_attempt_at <= now,
        or_(OutboxRow.claimed_by.is_(None), OutboxRow.claim_expires_at < now),
    )
    session = uow.session
    candidates = list(
        session.scalars(
            select(OutboxRow.id).where(claimable).order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(limit)
        )
    )
    claimed: list[int] = []
    for entry_id in candidates:
        result = session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == entry_id, claimable)
            .values(
                claimed_by=worker,
                claim_expires_at=now + timedelta(seconds=claim_seconds),
                attempts=OutboxRow.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            claimed.append(entry_id)
    uow.commit()
    if not claimed:
        return []
    rows = session.scalars(select(OutboxRow).where(OutboxRow.id.in_(claimed)).order_by(OutboxRow.id)).all()
    return [to_request(r) for r in rows]


def _held(session: Session, entry_id: int, worker: str | None) -> OutboxRow:
    row = session.get(OutboxRow, entry_id)
    if row is None:
        raise NotFound(f"no outbox entry with id {entry_id}")
    if row.status != PENDING:
        raise Conflict(f"outbox entry {entry_id} is {row.status} already")
    if row.claimed_by is None:
        raise Conflict(f"outbox entry {entry_id} is not claimed: claim it before reporting on it")
    if worker is not None and row.claimed_by != worker:
        raise Conflict(f"outbox entry {entry_id} is claimed by {row.claimed_by}, not {worker}")
    return row


def complete_outbox(
    uow: UnitOfWork, entry_id: int, now: datetime, result: dict[str, Any], *, worker: str | None = None
) -> ReviewRequest:
    """Record an entry delivered (once): ``result`` says where (``channel``, ``ts``).

    A review request's message coordinates become the draft's, so later updates edit that message.

    Raises:
        NotFound: unknown entry.
        Conflict: delivered or given up already, not claimed, or claimed by another worker than ``worker``.
    """
    session = uow.session
    row = _held(session, entry_id, worker)
    claimed_by = row.claimed_by
    done = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == entry_id, OutboxRow.status == PENDING, OutboxRow.claimed_by == claimed_by)
        .values(status=DELIVERED, delivered_at=now, updated_at=now, result=result, claim_expires_at=None,
                last_error=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if not done.rowcount:  # type: ignore[attr-defined]
        uow.rollback()
        raise Conflict(f"outbox entry {entry_id} changed while it was being completed: look at it again")
    channel, ts = result.get("channel"), result.get("ts")
    if row.kind == REVIEW_REQUEST and channel and ts:
        session.execute(
            update(DraftRow)
            .where(DraftRow.id == row.draft_id)
            .values(slack_channel=str(channel), slack_ts=str(ts))
            .execution_options(synchronize_session=False)
        )
    where = {k: v for k, v in result.items() if k in ("channel", "ts")}
    record_event(
        session,
        "review_request.delivered",
        claimed_by or SYSTEM,
        draft_id=row.draft_id,
        connection=row.connection_name,
        detail={"outbox_id": entry_id, "attempt": row.attempts, **where},
        at=now,
    )
    uow.commit()
    session.refresh(row)
    return to_request(row)


def fail_outbox(
    uow: UnitOfWork, entry_id: int, now: datetime, error: str, *, worker: str | None = None
) -> ReviewRequest:
    """Record a failed delivery: retried after a backoff, or given up (dead) after MAX_ATTEMPTS.

    The reason is kept on the entry and in the draft's trail (``review_request.failed``).

    Raises:
        NotFound: unknown entry.
        Conflict: delivered or given up already, not claimed, or claimed by another worker than ``worker``.
    """
    reason = " ".join((error or "").split())[:MAX_ERROR_CHARS] or "delivery failed (no reason given)"
    session = uow.session
    row = _held(session, entry_id, worker)
    claimed_by, attempts = row.claimed_by, row.attempts
    dead = attempts >= MAX_ATTEMPTS
    next_at = now + backoff(attempts)
    done = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == entry_id, OutboxRow.status == PENDING, OutboxRow.claimed_by == claimed_by)
        .values(
            status=DEAD if dead else PENDING,
            next_attempt_at=next_at,
            claimed_by=None,
            claim_expires_at=None,
            last_error=reason,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        uow.rollback()
        raise Conflict(f"outbox entry {entry_id} changed while it was being failed: look at it again")
    record_event(
        session,
        "review_request.failed",
        claimed_by or SYSTEM,
        draft_id=row.draft_id,
        connection=row.connection_name,
        detail={
            "outbox_id": entry_id,
            "channel": row.channel,
            "attempt": attempts,
            "reason": reason,
            "next_attempt_at": None if dead else next_at.isoformat(),
            "gave_up": dead,
        },
        at=now,
    )
    uow.commit()
    session.refresh(row)
    return to_request(row)


def review_requests(uow: UnitOfWork, draft_id: str) -> list[ReviewRequest]:
    """A draft's review requests (at most one today), oldest first."""
    rows = uow.session.scalars(select(OutboxRow).where(OutboxRow.draft_id == draft_id).order_by(OutboxRow.id))
    return [to_request(r) for r in rows]


def to_request(row: OutboxRow) -> ReviewRequest:
    return ReviewRequest(
        id=row.id,
        draft_id=row.draft_id,
        connection=row.connection_name,
        channel=row.channel,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claimed_by=row.claimed_by,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
        result=row.result,
    )
