"""History: drafts listed with filters, sorting and pages; one draft in detail; export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, asc, desc, func, select
from sqlalchemy.orm import Session

from core.domain.history import (
    ExportRow,
    HistoryFilters,
    HistoryPage,
    HistoryQuery,
    HistoryRow,
    check_query,
)
from core.errors import InvalidInput
from core.services.audit import list_events
from core.services.connections import find_connection
from core.services.drafts import load_draft
from core.services.review import trail
from core.store import UnitOfWork
from core.store.models import DraftRow

SORT_COLUMNS = {
    "created_at": DraftRow.created_at,
    "last_reviewed_at": DraftRow.last_reviewed_at,
    "risk_count": DraftRow.risk_count,
}


AnySelect = Select[*tuple[Any, ...]]
"""A select of any columns (SQLAlchemy 2.1 types a select by the tuple of its column types)."""


def _filtered(session: Session, f: HistoryFilters, base: AnySelect) -> AnySelect:
    if f.connection:
        base = base.where(DraftRow.connection_id == find_connection(session, f.connection).id)
    if f.requester:
        base = base.where(DraftRow.requester == f.requester)
    if f.status:
        base = base.where(DraftRow.status == f.status)
    if f.review_status:
        base = base.where(DraftRow.review_status == f.review_status)
    if f.lint_status:
        base = base.where(DraftRow.lint_status == f.lint_status)
    if f.risk_level:
        base = base.where(DraftRow.risk_level == f.risk_level)
    if f.has_final_script is not None:
        base = base.where(DraftRow.has_final_script.is_(f.has_final_script))
    if f.created_from:
        base = base.where(DraftRow.created_at >= f.created_from)
    if f.created_to:
        base = base.where(DraftRow.created_at <= f.created_to)
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # request_search holds the request lower-cased at write time: a plain LIKE, no per-row case folding
        base = base.where(DraftRow.request_search.like(pattern.lower(), escape="\\"))
    return base


_COLUMNS = (
    DraftRow.id,
    DraftRow.connection_name,
    DraftRow.requester,
    DraftRow.request_text,
    DraftRow.mode,
    DraftRow.created_at,
    DraftRow.status,
    DraftRow.attempt_count,
    DraftRow.error_message,
    DraftRow.lint_status,
    DraftRow.risk_level,
    DraftRow.risk_count,
    DraftRow.review_status,
    DraftRow.reviewed_by,
    DraftRow.last_reviewed_at,
    DraftRow.has_final_script,
)


def _order(session: Session, query: HistoryQuery) -> list[Any]:
    """(sort key, created_at, id), one direction, so one index serves it.

    Undecided drafts have no last_reviewed_at and sort as the oldest: last in descending order,
    first in ascending order (SQLite's own NULL order; PostgreSQL is told so explicitly).
    """
    direction = desc if query.order == "desc" else asc
    column = SORT_COLUMNS[query.sort]
    first = direction(column)
    if query.sort == "last_reviewed_at" and session.get_bind().dialect.name == "postgresql":
        first = first.nulls_last() if query.order == "desc" else first.nulls_first()
    keys: list[Any] = [first]
    if query.sort != "created_at":
        keys.append(direction(DraftRow.created_at))
    keys.append(direction(DraftRow.id))
    return keys


def _rows_by_id(session: Session, ids: list[str]) -> list[HistoryRow]:
    # typed as any columns: mypy cannot check a star-unpacked row whose type ends in *tuple[Any, ...]
    stmt: AnySelect = select(*_COLUMNS).where(DraftRow.id.in_(ids))
    names = list(HistoryRow.model_fields)
    found = {r[0]: HistoryRow.model_construct(**dict(zip(names, r, strict=True))) for r in session.execute(stmt)}
    return [found[i] for i in ids if i in found]


def history_page(uow: UnitOfWork, query: HistoryQuery) -> HistoryPage:
    """One page: ids come from the filter-and-sort index alone, then only those rows are read."""
    session = uow.session
    query = check_query(query)
    total = session.scalar(_filtered(session, query.filters, select(func.count()).select_from(DraftRow))) or 0
    ids_stmt = _filtered(session, query.filters, select(DraftRow.id).order_by(*_order(session, query)))
    ids = list(session.scalars(ids_stmt.limit(query.page_size).offset((query.page - 1) * query.page_size)))
    return HistoryPage(items=_rows_by_id(session, ids), total=total, page=query.page, page_size=query.page_size)


def export_rows(uow: UnitOfWork, query: HistoryQuery) -> Iterator[ExportRow]:
    """Every matching row with its scripts, in order, streamed in batches."""
    session = uow.session
    names = list(ExportRow.model_fields)
    query = check_query(query)
    columns = (*_COLUMNS, DraftRow.generated_script, DraftRow.final_script)
    stmt = _filtered(session, query.filters, select(*columns).order_by(*_order(session, query)))
    for r in session.execute(stmt.execution_options(yield_per=500)):
        yield ExportRow.model_construct(**dict(zip(names, r, strict=True)))


def to_jsonl(rows: Iterator[ExportRow]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row.to_dict(), ensure_ascii=False) + "\n"


def to_csv(rows: Iterator[ExportRow]) -> Iterator[str]:
    names = list(ExportRow.model_fields)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names)
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row.to_dict())
        yield buffer.getvalue()


def history_detail(uow: UnitOfWork, draft_id: str) -> dict[str, Any]:
    """The draft, its attempts, its review trail and its audit events (what `history ID` shows)."""
    draft = load_draft(uow.session, draft_id)
    return {
        "draft": draft.to_dict(),
        "reviews": [r.to_dict() for r in trail(uow, draft.id)],
        "events": [e.to_dict() for e in list_events(uow, draft_id=draft.id, limit=500)],
    }


def export_history(uow: UnitOfWork, query: HistoryQuery, fmt: str) -> Iterator[str]:
    """The matching drafts as JSON lines or CSV, streamed.

    Raises:
        InvalidInput: an unknown format.
    """
    if fmt not in ("jsonl", "csv"):
        raise InvalidInput(f"unknown export format {fmt!r}: use jsonl or csv")
    rows = export_rows(uow, query)
    return to_jsonl(rows) if fmt == "jsonl" else to_csv(rows)
