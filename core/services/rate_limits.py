"""Rate limits counted in the store (rate_events), so every replica sees the same uses."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from core.domain.limits import RateLimit
from core.errors import RateLimited
from core.services.audit import record_event
from core.store import UnitOfWork
from core.store.models import RateEventRow


def take(
    uow: UnitOfWork, action: str, principal: str, connection: str | None, limits: list[RateLimit], now: datetime
) -> None:
    """Count one use of ``action``, or raise :class:`RateLimited` (audited) when a limit is reached.

    Two replicas counting at the same instant may each allow the last use (the check is not serialized).
    """
    applicable = [limit for limit in limits if limit.action == action]
    if not applicable:
        return
    conn = connection or ""
    longest = max(limit.window_seconds for limit in applicable)
    uow.session.execute(
        delete(RateEventRow).where(RateEventRow.action == action, RateEventRow.at < now - timedelta(seconds=longest))
    )
    for limit in applicable:
        since = now - timedelta(seconds=limit.window_seconds)
        query = select(func.count(), func.min(RateEventRow.at)).where(
            RateEventRow.action == action, RateEventRow.at >= since
        )
        if limit.scope == "principal":
            query = query.where(RateEventRow.principal == principal)
        elif limit.scope == "connection":
            query = query.where(RateEventRow.connection_name == conn)
        used, oldest = uow.session.execute(query).one()
        if used >= limit.count:
            if oldest.tzinfo is None and now.tzinfo is not None:
                oldest = oldest.replace(tzinfo=now.tzinfo)
            wait = int((oldest + timedelta(seconds=limit.window_seconds) - now).total_seconds()) + 1
            whose = {"principal": principal, "connection": conn or "(none)", "global": "everyone"}[limit.scope]
            record_event(
                uow.session, "rate_limited", principal, connection=connection, at=now,
                detail={"action": action, "limit": str(limit), "retry_after": wait},
            )  # fmt: skip
            uow.commit()
            raise RateLimited(
                f"rate limit reached: {limit.count} {action}(s) per {limit.window_seconds} s for {whose}",
                retry_after=wait,
            )
    uow.session.add(RateEventRow(action=action, principal=principal, connection_name=conn, at=now))
    uow.commit()
