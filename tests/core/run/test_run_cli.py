"""`sqldraft run ID [--limit N] [--format table|csv|json]` and `sqldraft draft --repair ID`."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.cli import run_cli
from tests.support.servers import run_sqlite


@pytest.fixture
def cli_target(cli_env, tmp_path):
    path = tmp_path / "target.db"
    run_sqlite(
        str(path),
        "CREATE TABLE items (id integer PRIMARY KEY, name text, data blob, note text)",
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000) "
        "INSERT INTO items SELECT n, 'item ' || n, NULL, NULL FROM g",
        "UPDATE items SET data = x'00ff', note = 'a,\"b\"' || char(10) || 'c' WHERE id = 1",
    )
    assert run_cli("connections", "add", "t", f"sqlite:///{path}").code == 0
    assert run_cli("snapshot", "refresh", "t").code == 0
    return path


def _approved(sql: str, mode: str = "query") -> str:
    made = run_cli("draft", "t", "--sql", sql, "--mode", mode, "--json")
    assert made.code == 0, made.err
    draft_id = made.json()["id"]
    return draft_id


def test_run_prints_a_table_with_the_count_and_timing(cli_target):
    draft_id = _approved("SELECT id, name FROM items ORDER BY id")
    assert run_cli("review", draft_id, "approve").code == 0
    shown = run_cli("run", draft_id, "--limit", "3")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert lines[0].split(" | ") == ["id", "name  "] and lines[2].startswith("1  | item 1")
    assert lines[-1].startswith("3 rows (truncated at the row cap of 3) in ") and lines[-1].endswith(" ms")


def test_run_as_json_and_csv_keeps_cells_safe(cli_target):
    draft_id = _approved("SELECT id, data, note FROM items WHERE id IN (1, 2) ORDER BY id")
    run_cli("review", draft_id, "approve")
    data = run_cli("run", draft_id, "--json").json()
    assert set(data) >= {"columns", "rows", "truncated", "row_count", "elapsed_ms"}
    assert data["rows"][0][1] == {"type": "bytes", "length": 2, "hex": "00ff", "truncated": False}
    assert data["rows"][1] == [2, None, None]
    assert run_cli("run", draft_id, "--format", "json").json()["row_count"] == 2
    rows = list(csv.reader(io.StringIO(run_cli("run", draft_id, "--format", "csv").out)))
    assert rows == [["id", "data", "note"], ["1", "\\x00ff", 'a,"b"\nc'], ["2", "", ""]]


@pytest.mark.parametrize("limit", ["0", "-1", "1e9"])
def test_bad_limits_are_one_line_errors(cli_target, limit):
    draft_id = _approved("SELECT id FROM items")
    run_cli("review", draft_id, "approve")
    refused = run_cli("run", draft_id, f"--limit={limit}")
    assert refused.code == 2 and refused.out == ""
    assert refused.err.count("\n") == 1 and "is out of range" in refused.err


def test_a_write_prints_its_sql_and_the_warning(cli_target):
    run_cli("connections", "set", "t", "--run-unapproved-reads", "yes")
    draft_id = _approved("DELETE FROM items WHERE id = 1", mode="dml")
    blocked = run_cli("run", draft_id)
    assert blocked.code == 2 and blocked.out == "DELETE FROM items WHERE id = 1\n"
    assert "execution blocked: the script contains DML/DDL; sqldraft never runs it" in blocked.err


def test_an_unapproved_read_is_refused_until_the_policy_allows_it(cli_target):
    draft_id = _approved("SELECT count(*) AS n FROM items")
    refused = run_cli("run", draft_id)
    assert refused.code == 2 and "not approved" in refused.err
    assert run_cli("connections", "set", "t", "--run-unapproved-reads", "yes").code == 0
    assert run_cli("run", draft_id, "--format", "csv").out == "n\n2000\n"


def test_repair_without_a_failed_run_says_to_run_first(cli_target):
    draft_id = _approved("SELECT id FROM items")
    refused = run_cli("draft", "--repair", draft_id)
    assert refused.code == 2 and "no failed run to repair from" in refused.err
