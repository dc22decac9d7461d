import re

from tests.support.cli import run_cli
from tests.support.servers import run_sqlite


def _lite(tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY)")
    assert run_cli("connections", "add", "lite", f"sqlite:///{db}").code == 0


def test_the_scheduler_logs_to_stderr_at_the_configured_level(cli_env, tmp_path, capsys):
    _lite(tmp_path)
    assert run_cli("scheduler", "--once").code == 0
    assert "INFO core.scheduler: scheduled refresh of lite: created" in capsys.readouterr().err


def test_sqldraft_log_level_quiets_stderr(cli_env, tmp_path, capsys, monkeypatch):
    _lite(tmp_path)
    monkeypatch.setenv("SQLDRAFT_LOG_LEVEL", "WARNING")
    assert run_cli("scheduler", "--once").code == 0
    assert "scheduled refresh" not in capsys.readouterr().err


def test_the_log_file_is_in_the_data_dir_set_in_dotenv(cli_env, tmp_path, monkeypatch, capsys):
    from core.service import Copilot

    monkeypatch.delenv("SQLDRAFT_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    (tmp_path / "work" / ".env").write_text(f"SQLDRAFT_DATA_DIR={tmp_path / 'from-dotenv'}\n")

    def explode(self):
        raise RuntimeError("boom at /secret/path")

    monkeypatch.setattr(Copilot, "list_connections", explode)
    result = run_cli("connections", "list")
    assert result.code == 2
    incident = re.search(r"incident (\w+)", result.err).group(1)
    log = tmp_path / "from-dotenv" / "sqldraft.log"
    assert f"details in {log}" in result.err
    text = log.read_text()
    assert f"incident {incident}" in text and "Traceback" in text and "boom at /secret/path" in text
    assert "boom" not in capsys.readouterr().err  # the traceback stays out of the terminal
    assert not (tmp_path / "xdg").exists()


def test_an_invalid_setting_still_logs_to_the_data_dir_from_the_environment(cli_env, tmp_path):
    import os

    os.environ["SQLDRAFT_CONNECT_TIMEOUT"] = "forever"
    try:
        result = run_cli("connections", "list")
    finally:
        del os.environ["SQLDRAFT_CONNECT_TIMEOUT"]
    assert result.code == 2 and result.err.startswith("sqldraft: setting SQLDRAFT_CONNECT_TIMEOUT is invalid")
    assert (tmp_path / "data").is_dir()
