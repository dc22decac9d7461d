"""Issue 15 item 6: settings are found the same way from any directory; `keys generate` never strands credentials."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from core.crypto import Cipher, generate_key
from core.settings import load_settings
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parents[3]


def _sqldraft(*argv: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh process (no SQLDRAFT_* of this process leaks in)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SQLDRAFT_", "OPENAI_", "SLACK_", "XDG_"))}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *argv],
        cwd=cwd,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_init_writes_key_and_store_url_to_the_config_file_with_mode_0600(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SQLDRAFT_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    result = run_cli("init")
    assert result.code == 0, result.err
    config = tmp_path / "config" / "sqldraft" / "sqldraft.env"
    assert str(config) in result.err and not Path(".env").exists()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    lines = dict(line.split("=", 1) for line in config.read_text().splitlines())
    assert Cipher(lines["SQLDRAFT_SECRET_KEY"]).configured
    assert lines["SQLDRAFT_STORE_URL"] == f"sqlite:///{tmp_path / 'data-home' / 'sqldraft' / 'sqldraft.db'}"
    again = run_cli("init")
    assert again.code == 0 and "up to date" in again.out
    assert config.read_text().count("SQLDRAFT_SECRET_KEY=") == 1


def test_environment_beats_dotenv_beats_the_config_file(tmp_path: Path, monkeypatch):
    config = tmp_path / "config" / "sqldraft" / "sqldraft.env"
    config.parent.mkdir(parents=True)
    config.write_text("SQLDRAFT_LARGE_OFFSET=11\nSQLDRAFT_LARGE_TABLE_ROWS=11\nSQLDRAFT_PLAN_MAX_ROWS=11\n")
    Path(".env").write_text("SQLDRAFT_LARGE_OFFSET=22\nSQLDRAFT_LARGE_TABLE_ROWS=22\n")
    monkeypatch.setenv("SQLDRAFT_LARGE_OFFSET", "33")
    settings = load_settings()
    assert (settings.large_offset, settings.large_table_rows, settings.plan_max_rows) == (33, 22, 11)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert load_settings().plan_max_rows == 1_000_000


@pytest.mark.parametrize("where", ["subdirectory", "other directory"])
def test_a_store_set_up_by_init_works_from_any_directory(tmp_path: Path, pg_url: str, where: str):
    from tests.support.servers import pg_admin, run_pg

    home = tmp_path / "project"
    home.mkdir()
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "XDG_DATA_HOME": str(tmp_path / "xdg-data")}
    init = _sqldraft("init", cwd=home, env=env)
    assert init.returncode == 0, init.stderr
    role, password = f"sd_{os.urandom(4).hex()}", f"pw-{os.urandom(6).hex()}"
    admin = pg_admin()
    try:
        admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        run_pg(pg_url, "CREATE TABLE items (id int primary key, name text)", f'GRANT SELECT ON items TO "{role}"')
        url = make_url(pg_url).set(username=role, password=password).render_as_string(hide_password=False)
        assert _sqldraft("connections", "add", "shop", url, cwd=home, env=env).returncode == 0
        assert _sqldraft("snapshot", "refresh", "shop", cwd=home, env=env).returncode == 0
        cwd = home / "sub" / "dir" if where == "subdirectory" else tmp_path / "elsewhere"
        cwd.mkdir(parents=True)
        listed = _sqldraft("connections", "list", "--json", cwd=cwd, env=env)
        assert listed.returncode == 0, listed.stderr
        assert '"shop"' in listed.stdout
        checked = _sqldraft(
            "validate", "shop", "--server-check", "--sql", "SELECT name FROM items", "--json", cwd=cwd, env=env
        )
        assert checked.returncode == 0, checked.stderr
        assert "SQLDRAFT_SECRET_KEY" not in checked.stderr and '"status": "pass"' in checked.stdout
    finally:
        run_pg(pg_url, f'REVOKE ALL ON items FROM "{role}"')
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def test_keys_generate_refuses_while_the_store_holds_credentials_of_another_key(cli_env, monkeypatch):
    fresh = run_cli("keys", "generate")
    assert fresh.code == 0 and Cipher(fresh.out.strip()).configured
    assert run_cli("connections", "add", "pg", "postgresql://u:pw@127.0.0.1:1/db").code == 0
    same_key = run_cli("keys", "generate")
    assert same_key.code == 0 and Cipher(same_key.out.strip()).configured  # for rotation: NEW,OLD
    for key in (generate_key(), None):
        if key is None:
            monkeypatch.delenv("SQLDRAFT_SECRET_KEY")
        else:
            monkeypatch.setenv("SQLDRAFT_SECRET_KEY", key)
        refused = run_cli("keys", "generate")
        assert refused.code == 2 and refused.out == ""
        assert refused.err.count("\n") == 1, refused.err
        assert "encrypted with another key (pg)" in refused.err and "sqldraft keys rotate" in refused.err


def test_keys_rotate_keeps_the_old_key_readable_and_reencrypts_with_the_new(cli_env, monkeypatch):
    old = cli_env["SQLDRAFT_SECRET_KEY"]
    assert run_cli("connections", "add", "pg", "postgresql://u:pw@127.0.0.1:1/db").code == 0
    new = generate_key()
    monkeypatch.setenv("SQLDRAFT_SECRET_KEY", f"{new},{old}")
    rotated = run_cli("keys", "rotate", "--json")
    assert rotated.code == 0 and rotated.json() == {"reencrypted": 1}
    monkeypatch.setenv("SQLDRAFT_SECRET_KEY", new)  # the old key may go now
    assert run_cli("keys", "generate").code == 0
    monkeypatch.setenv("SQLDRAFT_SECRET_KEY", old)
    assert run_cli("keys", "generate").code == 2
