"""History: drafts listed with filters, sorting and pages; one draft in detail; export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, asc, desc, func, select
from sqlalchemy.orm import Session

from core.domain.drafts import DraftStatus
from core.domain.review import ReviewStatus
from core.errors import InvalidInput
from core.services.connections import find_connection
from core.store.models import DraftRow
from core.validation.model import RiskLevel, Status

SORT_KEYS = {
    "created_at": DraftRow.created_at,
    "last_reviewed_at": DraftRow.last_reviewed_at,
    "risk_count": DraftRow.risk_count,
}
MAX_PAGE_SIZE = 100


@dataclass(slots=True)
class HistoryFilters:
    connection: str | None = None
    requester: str | None = None
    status: str | None = None
    review_status: str | None = None
    lint_status: str | None = None
    risk_level: str | None = None
    has_final_script: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    text: str | None = None


@dataclass(slots=True)
class HistoryQuery:
    filters: HistoryFilters = field(default_factory=HistoryFilters)
    sort: str = "created_at"
    order: str = "desc"
    page: int = 1
    page_size: int = 20


@dataclass(slots=True)
class HistoryRow:
    id: str
    connection: str
    requester: str
    request: str
    mode: str
    created_at: datetime
    latest_status: str
    attempt_count: int
    last_error_message: str | None
    lint_status: str | None
    risk_level: str | None
    risk_count: int
    review_status: str
    reviewed_by: str | None
    last_reviewed_at: datetime | None
    has_final_script: bool

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out


@dataclass(slots=True)
class ExportRow(HistoryRow):
    """A history row as exported: the list columns plus the generated and the final (reviewed) script."""

    generated_script: str | None
    final_script: str | None


@dataclass(slots=True)
class HistoryPage:
    items: list[HistoryRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [r.to_dict() for r in self.items],
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "pages": self.pages,
        }


def _one_of(name: str, value: str | None, allowed: list[str]) -> str | None:
    if value is None or value == "":
        return None
    text = value.strip().lower()
    if text not in allowed:
        raise InvalidInput(f"{name} {value!r} is not one of its values: {', '.join(allowed)}")
    return text


def parse_datetime(name: str, value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{name} {value!r} is not a date: use ISO 8601, e.g. 2026-11-01 or 2026-11-01T09:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_bool(name: str, value: str | bool | None) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text in ("yes", "true", "1", "y"):
        return True
    if text in ("no", "false", "0", "n"):
        return False
    raise InvalidInput(f"{name} {value!r} is not yes or no")


def check_query(query: HistoryQuery) -> HistoryQuery:
    """Validate every filter, the sort and the page.

    Raises:
        InvalidInput: naming the value and its allowed values.
    """
    f = query.filters
    f.status = _one_of("status", f.status, [s.value for s in DraftStatus])
    f.review_status = _one_of("review status", f.review_status, [s.value for s in ReviewStatus])
    f.lint_status = _one_of("lint status", f.lint_status, [s.value for s in Status])
    f.risk_level = _one_of("risk level", f.risk_level, [r.value for r in RiskLevel])
    if query.sort not in SORT_KEYS:
        raise InvalidInput(f"unknown sort key {query.sort!r}: use {', '.join(SORT_KEYS)}")
    if query.order not in ("asc", "desc"):
        raise InvalidInput(f"unknown order {query.order!r}: use asc or desc")
    if not isinstance(query.page, int) or query.page < 1:
        raise InvalidInput(f"page {query.page!r} is out of range: pages start at 1")
    if not isinstance(query.page_size, int) or not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page size {query.page_size!r} is out of range: use 1 to {MAX_PAGE_SIZE}")
    if f.text is not None and len(f.text) > 200:
        raise InvalidInput("the text filter is over 200 characters")
    if f.created_from and f.created_to and f.created_from > f.created_to:
        raise InvalidInput("created from is after created to")
    return query


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
    column = SORT_KEYS[query.sort]
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
    found = {r[0]: HistoryRow(*r) for r in session.execute(stmt)}
    return [found[i] for i in ids if i in found]


def history_page(session: Session, query: HistoryQuery) -> HistoryPage:
    """One page: ids come from the filter-and-sort index alone, then only those rows are read."""
    query = check_query(query)
    total = session.scalar(_filtered(session, query.filters, select(func.count()).select_from(DraftRow))) or 0
    ids_stmt = _filtered(session, query.filters, select(DraftRow.id).order_by(*_order(session, query)))
    ids = list(session.scalars(ids_stmt.limit(query.page_size).offset((query.page - 1) * query.page_size)))
    return HistoryPage(items=_rows_by_id(session, ids), total=total, page=query.page, page_size=query.page_size)


def export_rows(session: Session, query: HistoryQuery) -> Iterator[ExportRow]:
    """Every matching row with its scripts, in order, streamed in batches."""
    query = check_query(query)
    columns = (*_COLUMNS, DraftRow.generated_script, DraftRow.final_script)
    stmt = _filtered(session, query.filters, select(*columns).order_by(*_order(session, query)))
    for r in session.execute(stmt.execution_options(yield_per=500)):
        yield ExportRow(*r)


def to_jsonl(rows: Iterator[ExportRow]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row.to_dict(), ensure_ascii=False) + "\n"


def to_csv(rows: Iterator[ExportRow]) -> Iterator[str]:
    names = [f.name for f in fields(ExportRow)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names)
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row.to_dict())
        yield buffer.getvalue()


def any_filter(f: HistoryFilters) -> bool:
    return any(getattr(f, name.name) not in (None, "") for name in fields(f))
