"""What the command line prints, and where: results on stdout, failures on stderr, values as SQL."""

import io
import json

from core.cli import main
from tests.support.cli import run_cli
from tests.support.servers import run_sqlite


def _one_line_error(result, *needles):
    assert result.code == 2, result.out
    assert result.err.count("\n") == 1, result.err
    for needle in needles:
        assert needle in result.err, result.err


class ClosedPipe(io.StringIO):
    """Standard output whose reader went away (`| head -3`)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_an_export_into_a_closed_pipe_ends_quietly(cli_env):
    err = io.StringIO()
    code = main(["history", "--export", "csv"], out=ClosedPipe(), err=err)
    assert code == 141 and err.getvalue() == ""


def test_history_exports_carry_the_generated_and_final_scripts(cli_env, tmp_path, monkeypatch):
    from core.demo import create_sample_database

    monkeypatch.setenv("SQLDRAFT_GENERATOR", "offline")
    db = create_sample_database(tmp_path / "shop.db")
    run_cli("connections", "add", "shop", f"sqlite:///{db}")
    run_cli("snapshot", "refresh", "shop")
    draft = run_cli("draft", "shop", "latest 10 payments", "--json").json()
    final = "SELECT id, amount FROM payments ORDER BY paid_at DESC LIMIT 3"
    assert run_cli("review", draft["id"], "edit", "--sql", final).code == 0
    [row] = [json.loads(line) for line in run_cli("history", "--export", "jsonl").out.splitlines()]
    assert row["generated_script"] == draft["generated_script"] and row["final_script"] == final


def test_snapshot_diff_prints_sql_values_not_python_ones(cli_env, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    run_cli("connections", "add", "lite", f"sqlite:///{db}")
    run_cli("snapshot", "refresh", "lite")
    run_sqlite(db, "DROP TABLE a", "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT)")
    run_cli("snapshot", "refresh", "lite")
    diff = run_cli("snapshot", "diff", "lite")
    assert "~ column a.name: nullable: NOT NULL -> NULL" in diff.out, diff.out
    assert "False" not in diff.out and "True" not in diff.out


def test_verify_names_the_real_database_in_its_grant_advice(cli_env, pg_url):
    from sqlalchemy.engine import make_url

    assert run_cli("connections", "add", "pg", pg_url).code == 0
    verify = run_cli("connections", "verify", "pg")
    assert verify.code == 0, verify.err
    assert f"GRANT CONNECT ON DATABASE {make_url(pg_url).database} TO" in verify.out
    assert "DATABASE db " not in verify.out


def test_scheduler_once_says_why_it_skipped(cli_env, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY)")
    run_cli("connections", "add", "lite", f"sqlite:///{db}", "--refresh", "1h")
    assert run_cli("scheduler", "--once").out == "lite: created\n"
    again = run_cli("scheduler", "--once")
    assert again.code == 0
    assert again.out.startswith("lite: skipped: not due: last refreshed ") and "(schedule " in again.out


def test_verify_and_refresh_failures_go_to_stderr(cli_env):
    assert run_cli("connections", "add", "pg", "postgresql://u@127.0.0.1:1/db").code == 0
    verify = run_cli("connections", "verify", "pg")
    _one_line_error(verify, "sqldraft: pg FAILED after")
    assert verify.out == ""
    refresh = run_cli("snapshot", "refresh", "pg")
    _one_line_error(refresh, "sqldraft: refresh of pg FAILED after")
    assert refresh.out == ""
    structured = run_cli("connections", "verify", "pg", "--json")
    assert structured.code == 2 and structured.json()["ok"] is False and "FAILED" in structured.err


def test_a_refresh_of_all_prints_the_good_ones_and_reports_the_bad_ones(cli_env, tmp_path):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY)")
    run_cli("connections", "add", "lite", f"sqlite:///{db}")
    run_cli("connections", "add", "pg", "postgresql://u@127.0.0.1:1/db")
    result = run_cli("snapshot", "refresh", "--all")
    assert result.code == 2
    assert result.out.startswith("first snapshot of lite") and "pg" not in result.out
    assert result.err.startswith("sqldraft: refresh of pg FAILED")


def test_a_port_out_of_range_is_refused_in_one_line(cli_env):
    _one_line_error(run_cli("connections", "add", "x", "postgresql://u@h:99999/db"), "port 99999", "1 to 65535")
    _one_line_error(run_cli("connections", "add", "x", "mysql://u@h:0/db"), "port 0")
    assert run_cli("connections", "list", "--json").json() == []


def test_an_edit_with_errors_is_refused_unless_allowed_the_same_rule_as_slack_and_mcp(cli_env, tmp_path, monkeypatch):
    from core.demo import create_sample_database

    monkeypatch.setenv("SQLDRAFT_GENERATOR", "offline")
    db = create_sample_database(tmp_path / "shop.db")
    run_cli("connections", "add", "shop", f"sqlite:///{db}")
    run_cli("snapshot", "refresh", "shop")
    draft = run_cli("draft", "shop", "latest 10 payments", "--json").json()
    broken = "SELECT id, amont FROM payments"
    _one_line_error(
        run_cli("review", draft["id"], "edit", "--sql", broken), "error finding(s)", "amont", "--allow-invalid"
    )
    assert run_cli("history", draft["id"], "--json").json()["draft"]["review"]["status"] == "pending"
    saved = run_cli("review", draft["id"], "edit", "--sql", broken, "--allow-invalid", "--note", "fixed next", "--json")
    assert saved.code == 0 and saved.json()["validation"]["status"] == "fail"
