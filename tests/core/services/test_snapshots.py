import pytest
from sqlalchemy import func, select

from core.bootstrap import build_copilot
from core.errors import Hint, HintRef, NotFound
from core.store.models import RefreshRow, SnapshotRow
from tests.conftest import make_settings
from tests.support.servers import run_mariadb, run_pg, run_sqlite


def _counts(copilot):
    with copilot.store.session() as s:
        return (
            s.scalar(select(func.count()).select_from(SnapshotRow)),
            s.scalar(select(func.count()).select_from(RefreshRow)),
        )


def test_an_unchanged_refresh_is_recorded_without_a_new_snapshot(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT)")
    copilot.add_connection("lite", f"sqlite:///{db}")
    first = copilot.refresh_snapshot("lite")
    second = copilot.refresh_snapshot("lite")
    assert (first.status, second.status) == ("created", "unchanged")
    assert second.snapshot.id == first.snapshot.id
    assert _counts(copilot) == (1, 2)


def test_a_change_makes_a_new_snapshot_and_a_diff(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE gone (x INT)")
    copilot.add_connection("lite", f"sqlite:///{db}")
    first = copilot.refresh_snapshot("lite")
    run_sqlite(
        db,
        "ALTER TABLE a ADD COLUMN email TEXT; DROP TABLE gone; CREATE TABLE b (id INT); "
        "CREATE INDEX ix_a_name ON a (name)",
    )
    second = copilot.refresh_snapshot("lite")
    assert second.status == "changed" and second.snapshot.id != first.snapshot.id
    assert second.diff.tables_added == ["b"] and second.diff.tables_removed == ["gone"]
    assert second.diff.tables_changed[0].columns_added == ["email"]
    assert second.diff.tables_changed[0].indexes_added == ["ix_a_name"]
    old, new, diff = copilot.diff_snapshots("lite")
    assert (old.id, new.id) == (first.snapshot.id, second.snapshot.id)
    assert diff.to_dict() == second.diff.to_dict()
    _, _, reverse = copilot.diff_snapshots("lite", second.snapshot.id, first.snapshot.id)
    assert reverse.tables_added == ["gone"]


def test_an_unreachable_database_keeps_the_last_snapshot_and_records_the_error(copilot, tmp_path):
    db = tmp_path / "t.db"
    run_sqlite(str(db), "CREATE TABLE a (id INTEGER PRIMARY KEY)")
    copilot.add_connection("lite", f"sqlite:///{db}")
    first = copilot.refresh_snapshot("lite")
    db.rename(tmp_path / "moved.db")
    failed = copilot.refresh_snapshot("lite")
    assert failed.status == "error" and "cannot connect to 'lite'" in failed.error
    assert copilot.current_snapshot("lite").id == first.snapshot.id
    status = copilot.snapshot_status("lite")
    assert status["connection"]["last_refresh"]["status"] == "error"
    assert status["recent_refreshes"][0]["error"] == failed.error
    listed = copilot.list_connections()[0]
    assert listed.last_refresh.error == failed.error and listed.snapshot_id == first.snapshot.id


def test_no_snapshot_says_how_to_take_one(copilot):
    copilot.add_connection("lite", "sqlite:///nowhere.db")
    with pytest.raises(NotFound, match="connection 'lite' has no snapshot yet") as refused:
        copilot.current_schema("lite")
    assert refused.value.hints == (HintRef(Hint.REFRESH_SNAPSHOT, "lite"),)


def test_drift_listeners_hear_changes_and_a_failing_one_does_not_stop_the_refresh(copilot, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY)")
    copilot.add_connection("lite", f"sqlite:///{db}")
    heard = []

    def broken(event):
        raise RuntimeError("listener down")

    copilot.add_drift_listener(broken)
    copilot.add_drift_listener(heard.append)
    copilot.refresh_snapshot("lite")
    assert heard == []  # the first snapshot is not drift
    run_sqlite(db, "CREATE TABLE b (id INT)")
    result = copilot.refresh_snapshot("lite")
    assert result.status == "changed"
    assert [e.diff.tables_added for e in heard] == [["b"]]


def test_snapshots_work_with_a_postgresql_store_and_targets(pg_store_url, pg_url, mariadb_url, tmp_path, secret_key):
    copilot = build_copilot(make_settings(pg_store_url, secret_key, tmp_path))
    run_pg(pg_url, "CREATE TABLE items (id int PRIMARY KEY, name text)")
    run_mariadb(mariadb_url, "CREATE TABLE items (id int PRIMARY KEY, name text)")
    copilot.add_connection("pg", pg_url)
    copilot.add_connection("maria", mariadb_url)
    for name in ("pg", "maria"):
        assert copilot.refresh_snapshot(name).status == "created"
        assert copilot.refresh_snapshot(name).status == "unchanged"
    run_pg(pg_url, "ALTER TABLE items ALTER COLUMN name SET NOT NULL")
    changed = copilot.refresh_snapshot("pg")
    assert changed.status == "changed"
    assert changed.diff.tables_changed[0].columns_changed[0].after["nullable"] is False
    copilot.close()
