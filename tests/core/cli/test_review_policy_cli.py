"""The command line: submitting SQL, four-eyes on writes in every mode, overrides with a note, examples' reasons."""

import io
import sys

import pytest

from tests.support.cli import run_cli


@pytest.fixture
def shop(cli_env, tmp_path, monkeypatch):
    from core.demo import create_sample_database

    monkeypatch.setenv("SQLDRAFT_GENERATOR", "offline")
    db = create_sample_database(tmp_path / "shop.db")
    assert run_cli("connections", "add", "shop", f"sqlite:///{db}").code == 0
    assert run_cli("snapshot", "refresh", "shop").code == 0

    def as_user(name):
        monkeypatch.setenv("LOGNAME", name)

    return as_user


def _one_line_error(result, *needles):
    assert result.code == 2, result.out
    assert result.err.count("\n") == 1, result.err
    for needle in needles:
        assert needle in result.err, result.err


def test_draft_sql_submits_it_for_review_and_says_so(shop):
    shop("ada")
    result = run_cli("draft", "shop", "--sql", "SELECT id FROM orders", "--purpose", "order ids")
    assert result.code == 0 and "submitted for review by cli:ada, not generated" in result.out
    draft = run_cli("draft", "shop", "--sql", "SELECT id FROM orders", "--json").json()
    assert (draft["generator"], draft["requester"], draft["review"]["status"]) == ("submitted", "cli:ada", "pending")


def test_draft_reads_sql_from_a_file_or_standard_input(shop, tmp_path, monkeypatch):
    shop("ada")
    path = tmp_path / "change.sql"
    path.write_text("UPDATE orders SET status = 'shipped' WHERE id = 7\n")
    assert run_cli("draft", "shop", "--file", str(path), "--mode", "dml", "--json").json()["mode"] == "dml"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"SELECT 1")))
    assert run_cli("draft", "shop", "-", "--json").json()["generated_script"] == "SELECT 1"


def test_a_request_still_drafts(shop):
    shop("ada")
    assert run_cli("draft", "shop", "How many orders per status?", "--json").json()["generator"] == "offline"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--sql", "   "], "the SQL to submit is blank"),
        (["a request", "--sql", "SELECT 1"], "not both"),
        (["a request", "--purpose", "x"], "--purpose goes with submitted SQL"),
        ([], "say what the SQL should do"),
        (["--sql", "SELECT 1", "--mode", "write"], "mode"),
    ],
)
def test_bad_submissions_are_one_line_errors(shop, argv, needle):
    shop("ada")
    _one_line_error(run_cli("draft", "shop", *argv), needle)


def test_a_connection_without_snapshot_is_refused_with_the_refresh_command(shop, tmp_path):
    from core.demo import create_sample_database

    db = create_sample_database(tmp_path / "fresh.db")
    run_cli("connections", "add", "fresh", f"sqlite:///{db}")
    _one_line_error(run_cli("draft", "fresh", "--sql", "SELECT 1"), "no snapshot", "sqldraft snapshot refresh fresh")


@pytest.mark.parametrize(
    ("mode", "sql", "needle"),
    [
        ("query", "DELETE FROM orders WHERE id = 7", "re-file it as a dml or ddl draft"),
        ("dml", "UPDATE orders SET status = 'x' WHERE id = 7", "four-eyes"),
        ("ddl", "ALTER TABLE orders ADD COLUMN note TEXT", "four-eyes"),
    ],
)
def test_self_approval_of_a_write_is_refused_in_every_mode(shop, mode, sql, needle):
    shop("ada")
    draft = run_cli("draft", "shop", "--sql", sql, "--mode", mode, "--json").json()
    _one_line_error(run_cli("review", draft["id"], "approve", "--override", "--note", "mine"), needle)
    history = run_cli("history", draft["id"], "--json").json()
    assert history["draft"]["review"]["status"] == "pending"
    assert [e["kind"] for e in history["events"]][-1] == "review.denied"
    text = run_cli("history", draft["id"]).out
    assert "review.denied" in text and needle in text


def test_an_override_needs_a_note_that_is_not_blank(shop):
    shop("ada")
    draft = run_cli("draft", "shop", "--sql", "SELECT SUM(p.amont) FROM payments p", "--json").json()
    shop("bob")
    _one_line_error(run_cli("review", draft["id"], "approve"), "explicit override", '--override --note "why"')
    _one_line_error(run_cli("review", draft["id"], "approve", "--override"), "an override needs a note")
    _one_line_error(
        run_cli("review", draft["id"], "approve", "--override", "--note", "   "), "an override needs a note"
    )
    approved = run_cli("review", draft["id"], "approve", "--override", "--note", "amont is added tonight")
    assert approved.code == 0 and "under an OVERRIDE" in approved.out
    text = run_cli("history", draft["id"]).out
    assert "OVERRIDE" in text and "review.override" in text and "amont is added tonight" in text
    listed = run_cli("examples", "list", "shop", "--status", "all")
    assert "rejected-by-policy" in listed.out and "override" in listed.out
    assert run_cli("examples", "list", "shop", "--json").json() == []


def test_connections_set_takes_the_review_options(shop):
    shop("ada")
    result = run_cli("connections", "set", "shop", "--review-channel", "C0REVIEW", "--allow-override", "no", "--json")
    options = result.json()["options"]
    assert options["review_channel"] == "C0REVIEW" and options["allow_override"] is False
    _one_line_error(run_cli("connections", "set", "shop", "--review-channel", "two words"), "is not a channel id")
    assert (
        "review_channel"
        not in run_cli("connections", "set", "shop", "--review-channel", "", "--json").json()["options"]
    )
    draft = run_cli("draft", "shop", "--sql", "SELECT nope FROM orders", "--json").json()
    shop("bob")
    _one_line_error(run_cli("review", draft["id"], "approve", "--override", "--note", "x"), "allows no override")
