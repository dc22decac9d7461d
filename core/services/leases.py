"""Leases in the store: a named job runs in one process at a time, across replicas."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from core.store import UnitOfWork
from core.store.models import LeaseRow


def acquire_lease(uow: UnitOfWork, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take the lease ``name`` for ``holder`` unless another holder has an unexpired one."""
    result = uow.session.execute(
        update(LeaseRow)
        .where(LeaseRow.name == name, or_(LeaseRow.expires_at < now, LeaseRow.holder == holder))
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        uow.commit()
        return True
    uow.session.add(LeaseRow(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        return False
    return True


def release_lease(uow: UnitOfWork, name: str, holder: str) -> None:
    uow.session.execute(delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder))
    uow.commit()


def lease_holder(uow: UnitOfWork, name: str, now: datetime) -> str | None:
    session = uow.session
    row = session.get(LeaseRow, name)
    if row is None or row.expires_at < now:
        return None
    return row.holder
