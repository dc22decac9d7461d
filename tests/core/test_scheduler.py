import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.bootstrap import build_copilot
from core.errors import Conflict
from core.scheduler import RefreshScheduler, run_due_once
from core.services.leases import acquire_lease, release_lease
from core.store.models import RefreshRow
from tests.conftest import make_settings
from tests.support.servers import run_pg, run_sqlite

CHILD = """
import sys, time
from core.bootstrap import build_copilot
from core.scheduler import run_scheduled_refresh
start = float(sys.argv[1])
copilot = build_copilot()
time.sleep(max(0.0, start - time.time()))
print(run_scheduled_refresh(copilot, "pg"))
"""


def statuses(runs):
    return {name: run.status for name, run in runs.items()}


def test_two_processes_refresh_a_connection_only_once(pg_store_url, pg_url, tmp_path, secret_key):
    run_pg(pg_url, "CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int REFERENCES a)")
    copilot = build_copilot(make_settings(pg_store_url, secret_key, tmp_path))
    copilot.add_connection("pg", pg_url)
    env = {**os.environ, "SQLDRAFT_STORE_URL": pg_store_url, "SQLDRAFT_SECRET_KEY": secret_key}
    start = time.time() + 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert sorted(out.strip() for out, _ in outputs) == ["created", "skipped"]
    with copilot.store.session() as s:
        assert s.scalar(select(func.count()).select_from(RefreshRow)) == 1
    copilot.close()


def test_a_lease_is_held_until_released_or_expired(store_url, tmp_path, secret_key):
    copilot = build_copilot(make_settings(store_url, secret_key, tmp_path))
    now = copilot.clock()
    ttl = timedelta(minutes=5)
    with copilot.store.uow() as uow:
        assert acquire_lease(uow, "job", "a", ttl, now)
        assert not acquire_lease(uow, "job", "b", ttl, now)
        assert acquire_lease(uow, "job", "a", ttl, now)  # the holder may renew
        assert acquire_lease(uow, "job", "b", ttl, now + ttl + timedelta(seconds=1))  # expired
        release_lease(uow, "job", "b")
        assert acquire_lease(uow, "job", "c", ttl, now)
    copilot.close()


def test_a_manual_refresh_during_another_is_a_clear_conflict(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INT)")
    profile = copilot.add_connection("lite", f"sqlite:///{db}")
    with copilot.store.uow() as uow:
        assert acquire_lease(uow, f"refresh:{profile.id}", "other-process", timedelta(minutes=5), copilot.clock())
    with pytest.raises(Conflict, match="already running"):
        copilot.refresh_snapshot("lite")
    skipped = copilot.refresh_snapshot("lite", trigger="scheduled", only_if_due=True)
    assert skipped.status == "skipped" and skipped.reason == "another process is refreshing it"


def test_due_connections_are_refreshed_once_and_not_again_until_due(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INT)")
    copilot.add_connection("lite", f"sqlite:///{db}")
    copilot.add_connection("manual", f"sqlite:///{db}", options=None)
    copilot.set_connection_options("manual", refresh="off")
    assert statuses(run_due_once(copilot)) == {"lite": "created"}
    again = run_due_once(copilot)
    assert statuses(again) == {"lite": "skipped"}
    assert str(again["lite"]).startswith("skipped: not due: last refreshed")


def test_one_failing_connection_does_not_stop_the_others(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INT)")
    copilot.add_connection("broken", f"sqlite:///{tmp_path / 'missing.db'}")
    copilot.add_connection("lite", f"sqlite:///{db}")
    assert statuses(run_due_once(copilot)) == {"broken": "error", "lite": "created"}


def test_the_scheduler_keeps_one_job_per_connection_and_runs_them(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INT)")
    copilot.add_connection("lite", f"sqlite:///{db}")
    copilot.add_connection("other", f"sqlite:///{db}")
    copilot.set_connection_options("other", refresh="15m")
    scheduler = RefreshScheduler(copilot, sync_seconds=3600)
    scheduler.start()
    try:
        deadline = time.time() + 20
        while time.time() < deadline and copilot.get_connection("lite").snapshot_id is None:
            time.sleep(0.1)
        assert copilot.get_connection("lite").snapshot_id is not None
        assert set(scheduler.jobs()) == {"lite", "other"}
        copilot.set_connection_options("other", refresh="off")
        copilot.remove_connection("lite")
        scheduler.sync()
        assert scheduler.jobs() == {}
    finally:
        scheduler.shutdown()
