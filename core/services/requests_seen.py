"""Requests already handled: a replayed signed request (same signature and timestamp) is not handled twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from core.store import UnitOfWork
from core.store.models import SeenRequestRow

REPLAY_WINDOW = timedelta(minutes=5)


def first_sighting(uow: UnitOfWork, key: str, now: datetime) -> bool:
    """Record ``key``; False when it was already seen within the replay window (across replicas)."""
    uow.session.execute(delete(SeenRequestRow).where(SeenRequestRow.seen_at < now - REPLAY_WINDOW))
    uow.commit()
    uow.session.add(SeenRequestRow(key=key[:100], seen_at=now))
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        return False
    return True
