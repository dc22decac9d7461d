"""The Run button: first rows in the thread, the capped result as a CSV through files.uploadV2; Fix with the error."""

import json

from bot.blocks import run_csv, run_message, runnable
from bot.ids import ActionId
from core.domain.runs import Column, RunResult, json_cell
from tests.bot.conftest import GOOD_SQL, has_buttons, llm_reply, text_of
from tests.bot.test_flow import _draft
from tests.support.slack_requests import action_body, dispatch


def _has_action(body, action_id):
    return any(
        b.get("type") == "actions" and any(e.get("action_id") == action_id for e in b["elements"])
        for b in body.get("blocks", [])
    )


def _approved(bot, sql=GOOD_SQL):
    bot.llm.reply(llm_reply(sql))
    draft_id, ts = _draft(bot)
    dispatch(bot.app, action_body(ActionId.APPROVE, draft_id, user="U2", ts=ts))
    approved = bot.slack.wait_for("chat.update", lambda b: "Approved by <@U2>" in text_of(b))
    return draft_id, ts, approved


def test_run_posts_the_rows_in_the_thread_and_the_csv_as_a_file(bot):
    draft_id, ts, approved = _approved(bot)
    assert _has_action(approved, ActionId.RUN.value)
    response = dispatch(bot.app, action_body(ActionId.RUN, draft_id, user="U3", ts=ts))
    assert response.status == 200
    posted = bot.slack.wait_for("chat.postMessage", lambda b: b.get("thread_ts") == ts and "rows" in b["text"])
    content = text_of(posted)
    assert "status" in content and " | n" in content and " ms" in content and "CSV" in content
    bot.slack.wait_for("files.completeUploadExternal", lambda b: "Rows of draft" in json.dumps(b))
    upload = bot.slack.wait_for("upload")
    expected = bot.copilot.run(draft_id, principal="slack:U3")
    assert upload["raw"].splitlines()[0] == "status,n"
    assert len(upload["raw"].splitlines()) == expected.row_count + 1
    event = bot.copilot.events(draft_id=draft_id, kind="run.completed")[0]
    assert event.principal == "slack:U3"


def test_a_pending_draft_has_no_run_button_and_a_run_click_is_refused(bot):
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    message = bot.slack.wait_for("chat.update", has_buttons)
    assert not _has_action(message, ActionId.RUN.value)
    dispatch(bot.app, action_body(ActionId.RUN, draft_id, user="U3", ts=ts))
    warned = bot.slack.wait_for("chat.postEphemeral", lambda b: "not approved" in b["text"])
    assert warned["user"] == "U3"


def test_a_failed_run_shows_the_error_and_fix_with_the_error_repairs(bot, tmp_path):
    draft_id, ts, _ = _approved(bot)
    path = bot.copilot.get_connection("shop").url.removeprefix("sqlite:///")
    import sqlite3

    with sqlite3.connect(path) as db:  # the table goes away behind the snapshot's back
        db.execute("ALTER TABLE orders RENAME TO orders_gone")
    dispatch(bot.app, action_body(ActionId.RUN, draft_id, user="U3", ts=ts))
    bot.slack.wait_for("chat.postEphemeral", lambda b: "no such table" in b["text"])
    failed = bot.slack.wait_for("chat.update", lambda b: _has_action(b, ActionId.REPAIR.value))
    assert "The last run failed" in text_of(failed)
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE orders_gone RENAME TO orders")
    fixed = "SELECT status, count(*) AS how_many FROM orders GROUP BY status"
    bot.llm.reply(llm_reply(fixed))
    dispatch(bot.app, action_body(ActionId.REPAIR, draft_id, user="U3", ts=ts))
    bot.slack.wait_for("chat.update", lambda b: has_buttons(b) and "how_many" in text_of(b))
    repaired = bot.copilot.get_draft(draft_id)
    assert repaired.review["status"] == "pending" and repaired.run_error is None
    assert repaired.effective_script_text == fixed
    assert "no such table: orders" in json.dumps(bot.llm.requests[-1])


def test_binary_json_array_null_and_long_text_cells_are_rendered_safely():
    cells = [b"\x00\xff<", {"a": [1, "<b>"]}, ["x", None], None, "`code` <@U1> " + "y" * 20000, "tab\there"]
    result = RunResult(
        draft_id="dabcdefghi", connection="shop", sql="SELECT 1", columns=[Column(name=f"c{i}", type="") for i in
        range(len(cells))], rows=[[json_cell(c) for c in cells]], truncated=False, row_count=1, limit=100,
        elapsed_ms=3,
    )  # fmt: skip
    message = run_message(result)
    table = message["blocks"][0]["text"]["text"]
    assert table.startswith("```") and table.count("```") == 2 and len(table) <= 3000
    assert "\\x00ff3c" in table and "NULL" in table and "\t" not in table and "<@U1>" in table
    import csv
    import io

    header, row = list(csv.reader(io.StringIO(run_csv(result))))
    assert header == ["c0", "c1", "c2", "c3", "c4", "c5"]
    assert row[:4] == ["\\x00ff3c", '{"a": [1, "<b>"]}', '["x", null]', ""]
    assert row[4].startswith("`code` <@U1> y") and row[4].endswith("more characters)") and row[5] == "tab\there"
    json.dumps(result.to_dict())


def test_only_approved_reads_are_runnable():
    from core.domain.drafts import Draft

    base = dict(id="dabcdefghi", connection="c", request="r", mode="query", requester="slack:U1",
                status="completed", generator="llm", created_at="2026-01-01T00:00:00+00:00")  # fmt: skip
    read = {"statement_types": ["select"], "risk_level": "none", "findings": []}
    assert runnable(Draft(**base, validation=read, review={"status": "approved"}))
    assert not runnable(Draft(**base, validation=read, review={"status": "pending"}))
    write = {"statement_types": ["update"], "risk_level": "medium", "findings": []}
    assert not runnable(Draft(**base, validation=write, review={"status": "approved"}))
