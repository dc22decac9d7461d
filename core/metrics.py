"""Prometheus text for GET /metrics, read from the store at scrape time (so every replica reports the same figures).

Imported only when a scrape asks (prometheus_client stays out of ``sqldraft --version`` and the validation core).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily
from sqlalchemy import func, select

from core.domain.health import PoolStats
from core.store import UnitOfWork
from core.store.models import DraftAttemptRow, DraftRow, EventRow, OutboxRow, RefreshRow

POOL_GAUGES = (
    ("size", "Pool size"),
    ("checked_out", "Connections checked out"),
    ("overflow", "Overflow connections in use"),
    ("waits", "Checkouts that waited"),
)


class _StoreCollector:
    def __init__(self, uow: UnitOfWork, pools: list[PoolStats]) -> None:
        self.uow, self.pools = uow, pools

    def _grouped(self, column: Any) -> list[tuple[str, int]]:
        rows = self.uow.session.execute(select(column, func.count()).group_by(column)).all()
        return [(str(key), int(n)) for key, n in rows if key is not None]

    def collect(self) -> Iterator[Any]:
        s = self.uow.session
        yield _labelled("sqldraft_drafts", "Drafts in the store by status.", "status", self._grouped(DraftRow.status))
        yield _labelled(
            "sqldraft_validations", "Validations of drafted SQL (each attempt) by status.", "status",
            self._grouped(DraftAttemptRow.lint_status),
        )  # fmt: skip
        count, latency, prompt, completion = s.execute(
            select(
                func.count(), func.coalesce(func.sum(DraftAttemptRow.latency_ms), 0),
                func.coalesce(func.sum(DraftAttemptRow.prompt_tokens), 0),
                func.coalesce(func.sum(DraftAttemptRow.completion_tokens), 0),
            )
        ).one()  # fmt: skip
        yield SummaryMetricFamily(
            "sqldraft_llm_latency_seconds", "Model call latency per drafting attempt.",
            count_value=int(count), sum_value=int(latency) / 1000,
        )  # fmt: skip
        yield _labelled(
            "sqldraft_llm_tokens", "Model tokens used by drafting attempts.", "kind",
            [("prompt", int(prompt)), ("completion", int(completion))],
        )  # fmt: skip
        refreshes = self._grouped(RefreshRow.status)
        yield _labelled("sqldraft_refreshes", "Snapshot refreshes by status.", "status", refreshes)
        n, total_ms = s.execute(select(func.count(RefreshRow.duration_ms), func.sum(RefreshRow.duration_ms))).one()
        yield SummaryMetricFamily(
            "sqldraft_refresh_duration_seconds", "Snapshot refresh durations.",
            count_value=int(n or 0), sum_value=int(total_ms or 0) / 1000,
        )  # fmt: skip
        refusals = s.execute(select(func.count()).where(EventRow.kind == "rate_limited")).scalar_one()
        yield GaugeMetricFamily("sqldraft_rate_limit_refusals", "Actions refused by a rate limit.", value=refusals)
        backlog = s.execute(select(func.count()).where(OutboxRow.status == "pending")).scalar_one()
        yield GaugeMetricFamily("sqldraft_outbox_backlog", "Review requests waiting to be delivered.", value=backlog)
        for name, what in POOL_GAUGES:
            gauge = GaugeMetricFamily(f"sqldraft_pool_{name}", f"{what}, per engine.", labels=["engine"])
            for pool in self.pools:
                value = getattr(pool, name)
                if value is not None:
                    gauge.add_metric([pool.engine], value)
            yield gauge


def _labelled(name: str, doc: str, label: str, values: list[tuple[str, int]]) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in values:
        gauge.add_metric([key], value)
    return gauge


def metrics_text(uow: UnitOfWork, pools: list[PoolStats]) -> str:
    """Every figure in the Prometheus text exposition format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StoreCollector(uow, pools))
    return generate_latest(registry).decode("utf-8")
