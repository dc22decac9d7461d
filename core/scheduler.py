"""Scheduled snapshot refreshes (APScheduler 3), one job per connection, failures isolated."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.domain.connections import Schedule
from core.incidents import report_incident
from core.service import Copilot

log = logging.getLogger(__name__)

JOB_PREFIX = "refresh:"


def trigger_for(schedule: Schedule) -> BaseTrigger | None:
    if schedule.disabled:
        return None
    if schedule.cron:
        return CronTrigger.from_crontab(schedule.cron, timezone=UTC)
    assert schedule.interval_seconds is not None
    return IntervalTrigger(seconds=schedule.interval_seconds, timezone=UTC)


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    """What one scheduled refresh did: a status (created, changed, unchanged, skipped, error) and why."""

    status: str
    reason: str | None = None

    def __str__(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason else self.status


def refresh_if_due(copilot: Copilot, name: str) -> ScheduledRun:
    """Refresh one connection for the scheduler; never raises (each connection fails alone)."""
    try:
        result = copilot.refresh_snapshot(name, trigger="scheduled", only_if_due=True)
    except Exception as exc:
        incident = report_incident(log, exc, f"scheduled refresh of {name!r}")
        return ScheduledRun("error", f"unexpected error, incident {incident} (details in the log)")
    if result.error:
        log.warning("scheduled refresh of %s failed: %s", name, result.error)
        return ScheduledRun(result.status, result.error)
    if result.status != "skipped":
        log.info("scheduled refresh of %s: %s in %d ms", name, result.status, result.duration_ms)
    return ScheduledRun(result.status, result.reason)


def run_scheduled_refresh(copilot: Copilot, name: str) -> str:
    """The scheduler's job: refresh ``name`` if due and return the status."""
    return refresh_if_due(copilot, name).status


class RefreshScheduler:
    """Keeps one APScheduler job per connection in step with the store."""

    def __init__(self, copilot: Copilot, *, sync_seconds: int = 60) -> None:
        self.copilot = copilot
        self.sync_seconds = sync_seconds
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        )
        self._schedules: dict[str, Schedule] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._scheduler.start()
        self._scheduler.add_job(
            self.sync,
            IntervalTrigger(seconds=self.sync_seconds, timezone=UTC),
            id="sqldraft:sync",
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )

    def sync(self) -> None:
        """Add, change and remove jobs to match the connections in the store."""
        try:
            wanted = self.copilot.schedules()
        except Exception as exc:
            report_incident(log, exc, "reading refresh schedules")
            return
        with self._lock:
            for name in list(self._schedules):
                if name not in wanted or wanted[name] != self._schedules[name]:
                    job = self._scheduler.get_job(JOB_PREFIX + name)
                    if job is not None:
                        job.remove()
                    del self._schedules[name]
            for name, schedule in wanted.items():
                if name in self._schedules:
                    continue
                self._schedules[name] = schedule
                trigger = trigger_for(schedule)
                if trigger is None:
                    continue
                # The first run is now: run_scheduled_refresh skips it if the connection is not due.
                self._scheduler.add_job(
                    run_scheduled_refresh,
                    trigger,
                    args=[self.copilot, name],
                    id=JOB_PREFIX + name,
                    replace_existing=True,
                    next_run_time=datetime.now(UTC),
                )

    def jobs(self) -> dict[str, datetime | None]:
        return {
            job.id.removeprefix(JOB_PREFIX): job.next_run_time
            for job in self._scheduler.get_jobs()
            if job.id.startswith(JOB_PREFIX)
        }

    def alive(self) -> bool:
        """The scheduler thread is running (what a readiness check asks)."""
        return bool(self._scheduler.running)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def run_due_once(copilot: Copilot) -> dict[str, ScheduledRun]:
    """Refresh every connection that is due, once (``sqldraft scheduler --once``)."""
    return {
        name: refresh_if_due(copilot, name) for name, schedule in copilot.schedules().items() if not schedule.disabled
    }
