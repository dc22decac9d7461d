"""Running approved reads on real PostgreSQL, MariaDB and SQLite databases with data."""

from __future__ import annotations

import pytest

from core.domain.runs import BLOCKED
from core.errors import Conflict, ExecutionBlocked, Forbidden, Hint, InvalidInput, NotFound, QueryFailed
from tests.core.run.conftest import ROWS, canary_count


def test_an_approved_read_returns_the_right_rows(target):
    draft_id = target.approved("SELECT id, name, price FROM items WHERE id BETWEEN 10 AND 14 ORDER BY id")
    result = target.copilot.run(draft_id, principal="cli:carol")
    assert [c.name for c in result.columns] == ["id", "name", "price"]
    assert all(c.type for c in result.columns) or target.dialect == "sqlite"
    price = (lambda i: i * 1.25) if target.dialect == "sqlite" else (lambda i: f"{i * 1.25:.2f}")  # REAL affinity
    assert result.rows == [[i, f"item {i}", price(i)] for i in range(10, 15)]
    assert (result.row_count, result.truncated, result.truncated_by) == (5, False, None)
    assert result.elapsed_ms >= 0 and result.warnings == []
    event = target.copilot.events(draft_id=draft_id, kind="run.completed")[-1]
    assert (event.principal, event.detail["rows"], event.detail["truncated"]) == ("cli:carol", 5, False)


def test_the_row_cap_truncates_and_says_so(target):
    draft_id = target.approved("SELECT id FROM items ORDER BY id")
    default = target.copilot.run(draft_id, principal="cli:carol")
    assert (default.row_count, default.truncated, default.truncated_by) == (100, True, "rows")
    assert [r[0] for r in default.rows] == list(range(1, 101))
    capped = target.copilot.run(draft_id, principal="cli:carol", limit=7)
    assert (capped.row_count, capped.truncated) == (7, True)
    whole = target.copilot.run(draft_id, principal="cli:carol", limit=10_000)
    assert (whole.row_count, whole.truncated) == (ROWS, False)


@pytest.mark.parametrize("limit", [0, -1, 1e9, "1e9", 10_001, "ten", 2.5, True])
def test_bad_limits_are_refused_with_one_line(make_target, limit):
    t = make_target("sqlite")
    draft_id = t.approved("SELECT id FROM items")
    with pytest.raises(InvalidInput, match=r"limit .* is out of range: give a whole number of rows from 1 to 10,000"):
        t.copilot.run(draft_id, principal="cli:carol", limit=limit)


def test_an_unknown_draft_id_is_refused(make_target):
    t = make_target("sqlite")
    with pytest.raises(NotFound, match="no draft with id 'dzzzzzzzzz'"):
        t.copilot.run("dzzzzzzzzz", principal="cli:carol")
    with pytest.raises(InvalidInput, match="is not a draft id"):
        t.copilot.run("nope", principal="cli:carol")


def test_an_unapproved_read_is_refused_and_runs_with_the_policy(make_target):
    t = make_target("sqlite")
    draft_id = t.pending("SELECT id FROM items WHERE id = 3")
    with pytest.raises(Forbidden, match="not approved"):
        t.copilot.run(draft_id, principal="cli:carol")
    assert t.copilot.events(draft_id=draft_id, kind="run.denied")
    t.copilot.set_connection_options("t", run_unapproved_reads=True)
    assert t.copilot.review_policy("t").run_unapproved_reads is True
    result = t.copilot.run(draft_id, principal="cli:carol")
    assert (result.rows, result.approved) == ([[3]], False)


def test_a_write_is_blocked_with_the_warning_and_the_attempt_recorded(make_target):
    t = make_target("sqlite")
    sql = "UPDATE items SET name = 'x' WHERE id = 1"
    draft_id = t.pending(sql, mode="dml")
    t.copilot.set_connection_options("t", run_unapproved_reads=True)
    with pytest.raises(ExecutionBlocked) as blocked:
        t.copilot.run(draft_id, principal="cli:carol")
    assert str(blocked.value).startswith(BLOCKED) and blocked.value.sql == sql
    assert t.copilot.events(draft_id=draft_id, kind="run.blocked")[-1].principal == "cli:carol"


def test_a_read_that_validated_with_errors_or_several_statements_does_not_run(make_target):
    t = make_target("sqlite")
    t.copilot.set_connection_options("t", run_unapproved_reads=True)
    bad = t.pending("SELECT nosuch FROM items")
    with pytest.raises(Conflict, match="error finding"):
        t.copilot.run(bad, principal="cli:carol")
    two = t.pending("SELECT 1; SELECT 2")
    with pytest.raises(Conflict, match="statements"):
        t.copilot.run(two, principal="cli:carol")


def test_a_select_calling_a_function_that_writes_fails_and_the_canary_is_unchanged(target):
    if target.dialect == "sqlite":
        pytest.skip("SQLite has no stored functions; its read-only file is covered by the write test below")
    target.copilot.set_connection_options("t", run_unapproved_reads=True, safe_functions=["bump"])
    draft_id = target.pending("SELECT bump() AS b")
    with pytest.raises(QueryFailed, match="refused the read") as failed:
        target.copilot.run(draft_id, principal="cli:carol")
    assert [(h.hint, h.arg) for h in failed.value.hints] == [(Hint.REPAIR_DRAFT, draft_id)]
    assert canary_count(target) == 0
    assert "read-only" in (target.copilot.get_draft(draft_id).run_error or "").lower().replace("read only", "read-only")


def test_sqlite_runs_on_a_read_only_file(make_target):
    t = make_target("sqlite")
    from core.domain.schema import Dialect
    from core.introspection.reads import run_read
    from core.introspection.targets import TargetConfig

    config = TargetConfig(name="t", dialect=Dialect.SQLITE, url=t.url, password=None)
    with pytest.raises(QueryFailed, match=r"readonly|read-only|not authorized"):
        run_read(config, "INSERT INTO canary VALUES (1)", max_rows=1, timeout=5)
    assert canary_count(t) == 0


@pytest.mark.parametrize("dialect", ["postgresql", "mariadb", "sqlite"])
def test_a_slow_read_is_cancelled_at_the_time_cap_and_the_connection_is_clean(make_target, dialect):
    t = make_target(dialect, run_timeout=1.0)
    t.copilot.set_connection_options("t", run_unapproved_reads=True)
    # A triple self-join with join conditions: it validates as a low-risk read and takes minutes.
    table, key = ("seq", "n") if dialect == "mariadb" else ("items", "id")
    slow = f"SELECT count(*) FROM {table} a JOIN {table} b ON a.{key} <> b.{key} JOIN {table} c ON b.{key} <> c.{key}"
    draft_id = t.pending(slow)
    with pytest.raises(QueryFailed, match=r"ran longer than the time cap \(1 s\) and was cancelled"):
        t.copilot.run(draft_id, principal="cli:carol")
    assert _running_queries(t) == 0
    quick = t.pending("SELECT count(*) AS n FROM items")
    assert t.copilot.run(quick, principal="cli:carol").rows == [[ROWS]]


def _running_queries(t) -> int:
    """Sessions on the target still running a cross join (0: the cancelled read left nothing behind)."""
    if t.dialect == "postgresql":
        import psycopg

        with psycopg.connect(t.url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%JOIN items c%' AND state <> 'idle' "
                "AND pid <> pg_backend_pid()"
            ).fetchone()
            return int(row[0])  # type: ignore[index]
    if t.dialect == "mariadb":
        from tests.support.servers import mariadb_admin

        conn = mariadb_admin()
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%JOIN seq c%' "
                    "AND id <> CONNECTION_ID()"
                )
                return int(cur.fetchone()[0])
        finally:
            conn.close()
    return 0


def test_a_database_that_is_down_gives_one_line_and_the_draft_is_unchanged(make_target, tmp_path):
    from core.errors import TargetUnreachable

    t = make_target("postgresql")
    draft_id = t.approved("SELECT id FROM items WHERE id = 1")
    before = t.copilot.get_draft(draft_id)
    from core.store.models import ConnectionRow

    with t.copilot.store.uow() as uow:
        row = uow.session.query(ConnectionRow).filter_by(name="t").one()
        row.url = row.url.replace("127.0.0.1:5432", "127.0.0.1:1").replace("localhost:5432", "127.0.0.1:1")
        uow.commit()
    with pytest.raises(TargetUnreachable) as down:
        t.copilot.run(draft_id, principal="cli:carol")
    message = str(down.value)
    assert "\n" not in message and "'t'" in message and message.endswith("the draft and its SQL are unchanged")
    after = t.copilot.get_draft(draft_id)
    assert (after.effective_script_text, after.review, after.run_error) == (
        before.effective_script_text, before.review, None,
    )


def test_a_credential_that_no_longer_works_says_so_without_the_secret(make_target):
    from core.errors import TargetUnreachable
    from tests.support.servers import run_pg

    t = make_target("postgresql")
    role = "sqldraft_run_" + t.url.rsplit("_", 1)[1]
    run_pg(t.url, f"CREATE ROLE {role} LOGIN PASSWORD 'Sekr3t-1'", f"GRANT SELECT ON items TO {role}")
    try:
        host = t.url.split("@", 1)[1]
        t.copilot.add_connection("r", f"postgresql://{role}@{host}", password="Sekr3t-1")
        t.copilot.refresh_snapshot("r")
        draft = t.copilot.submit_sql("r", "SELECT id FROM items WHERE id = 2", requester="cli:ada")
        t.copilot.review(draft.id, "approve", "cli:bob")
        assert t.copilot.run(draft.id, principal="cli:carol").rows == [[2]]
        run_pg(t.url, f"ALTER ROLE {role} NOLOGIN")  # the test server trusts passwords, so revoke the login
        with pytest.raises(TargetUnreachable) as refused:
            t.copilot.run(draft.id, principal="cli:carol")
        assert "'r'" in str(refused.value) and "Sekr3t-1" not in str(refused.value) and "\n" not in str(refused.value)
        assert "unchanged" in str(refused.value)
    finally:
        run_pg(t.url, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


def test_a_stale_snapshot_runs_but_warns(make_target):
    from tests.support.servers import run_sqlite

    t = make_target("sqlite")
    draft_id = t.approved("SELECT id FROM items WHERE id = 4")
    run_sqlite(t.url.removeprefix("sqlite:///"), "CREATE TABLE extra (x integer)")
    t.copilot.refresh_snapshot("t")
    result = t.copilot.run(draft_id, principal="cli:carol")
    assert result.rows == [[4]]
    assert any("older snapshot" in w for w in result.warnings)


def test_binary_json_array_null_and_long_text_cells_are_json_safe(target):
    import json

    draft_id = target.approved("SELECT id, data, doc, tags, note, price FROM items WHERE id IN (1, 2) ORDER BY id")
    result = target.copilot.run(draft_id, principal="cli:carol")
    first, second = result.rows
    assert first[1]["type"] == "bytes" and first[1]["hex"] == "00ff10" and first[1]["length"] == 3
    assert first[2] in ({"a": [1, 2]}, '{"a": [1, 2]}', '{"a":[1,2]}')
    assert first[3] in (["x", "y"], "x,y")
    assert first[4].endswith("more characters)") and len(first[4]) < 20_000
    assert second[1:5] == [None, None, None, None]
    json.dumps(result.to_dict())


def test_a_runtime_error_is_recorded_and_repair_makes_a_new_revision_pending_review(make_target):
    t = make_target("postgresql")
    draft_id = t.approved("SELECT id FROM items WHERE name = 1")
    with pytest.raises(QueryFailed):
        t.copilot.run(draft_id, principal="cli:carol")
    failed = t.copilot.get_draft(draft_id)
    assert "operator does not exist" in (failed.run_error or "")
    repaired = t.copilot.repair_draft(draft_id, principal="cli:carol")
    assert repaired.review["status"] == "pending"
    assert t.copilot.events(draft_id=draft_id, kind="draft.repair")[-1].detail["run_error"] == failed.run_error
