"""Adapter scopes bound to a connection (a Slack channel's default) and where an adapter shows a draft."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from core.domain.connections import ConnectionProfile
from core.services.audit import record_event
from core.services.connections import find_connection, to_profile
from core.store import UnitOfWork
from core.store.models import BindingRow, ConnectionRow, DraftRow


def bind_connection(
    uow: UnitOfWork, scope: str, connection: str, *, principal: str, now: datetime
) -> ConnectionProfile:
    """Make ``connection`` the default of an adapter scope (e.g. ``slack:C123``, a channel)."""
    row = find_connection(uow.session, connection)
    existing = uow.session.get(BindingRow, scope)
    if existing is None:
        uow.session.add(BindingRow(scope=scope, connection_id=row.id, set_by=principal, set_at=now))
    else:
        existing.connection_id, existing.set_by, existing.set_at = row.id, principal, now
    record_event(uow.session, "binding.set", principal, connection=row.name, detail={"scope": scope}, at=now)
    profile = to_profile(row)
    uow.commit()
    return profile


def bound_connection(uow: UnitOfWork, scope: str) -> str | None:
    """The default connection of an adapter scope, if one was bound."""
    return uow.session.scalar(
        select(ConnectionRow.name)
        .join(BindingRow, BindingRow.connection_id == ConnectionRow.id)
        .where(BindingRow.scope == scope)
    )


def set_draft_message(uow: UnitOfWork, draft_id: str, channel: str, ts: str) -> None:
    """Remember where an adapter shows a draft (Slack channel and message timestamp)."""
    uow.session.execute(update(DraftRow).where(DraftRow.id == draft_id).values(slack_channel=channel, slack_ts=ts))
    uow.commit()
