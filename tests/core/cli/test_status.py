"""`sqldraft status [--json]`: readiness, pool gauges and each connection's last refresh and snapshot age."""

from tests.support.cli import run_cli


def test_status_reports_checks_pools_and_connections(cli_env, tmp_path):
    from core.demo import create_sample_database

    assert run_cli("init").code == 0
    db = create_sample_database(tmp_path / "shop.db")
    run_cli("connections", "add", "shop", f"sqlite:///{db}")
    run_cli("connections", "add", "fresh", f"sqlite:///{db}")
    run_cli("snapshot", "refresh", "shop")
    data = run_cli("status", "--json")
    assert data.code == 0, data.err
    status = data.json()
    assert status["ok"] is True
    assert [c["name"] for c in status["checks"]] == ["store", "migrations"]
    assert status["pools"][0]["engine"] == "store" and status["pools"][0]["waits"] == 0
    by_name = {c["name"]: c for c in status["connections"]}
    assert by_name["shop"]["last_refresh_status"] is not None and by_name["shop"]["snapshot_age_seconds"] >= 0
    assert by_name["fresh"]["last_refresh_at"] is None and by_name["fresh"]["snapshot_age_seconds"] is None
    text = run_cli("status")
    assert text.code == 0 and text.out.startswith("ready\n")
    assert "connection fresh: never refreshed, no snapshot" in text.out
    assert "connection shop: last refresh" in text.out and "pool store" in text.out


def test_status_on_a_store_that_is_not_a_database_is_one_line(cli_env, tmp_path, monkeypatch):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all" * 50)
    monkeypatch.setenv("SQLDRAFT_STORE_URL", f"sqlite:///{broken}")
    result = run_cli("status")
    assert result.code != 0
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, result.err
