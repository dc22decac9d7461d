"""The whole Slack flow on a fake Web API, with signed requests through App.dispatch."""

import json
import threading

import pytest
from sqlalchemy import delete

from bot.errors import HINTS
from bot.ids import ActionId, BlockId, CallbackId
from core.errors import Hint
from core.store.models import DraftAttemptRow, DraftRow
from tests.bot.conftest import GOOD_SQL, ack_text, has_buttons, llm_reply, text_of
from tests.support.slack_requests import action_body, command_body, dispatch, submission_body


def _draft(bot, request="how many orders per status?", user="U1"):
    """Run a command; return (draft id, message ts) once the message has its buttons."""
    response = dispatch(bot.app, command_body(request, user=user))
    assert response.status == 200 and ack_text(response) == ""
    posted = bot.slack.wait_for("chat.postMessage", lambda b: "Drafting" in b["text"] and request[:20] in b["text"])
    assert "Drafting SQL for <@" in text_of(posted)
    draft = bot.copilot.history().items[0]
    updated = bot.slack.wait_for("chat.update", lambda b: has_buttons(b) and f"draft `{draft.id}`" in text_of(b))
    return draft.id, updated["ts"]


def test_command_drafting_message_update_with_buttons_then_approve(bot):
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    message = bot.slack.wait_for("chat.update", has_buttons)
    content = text_of(message)
    assert "SELECT status, count(*) AS n FROM orders" in content and "Counts orders per status." in content
    assert "every status" in content and "risk *none*" in content and "schema snapshot" in content
    assert f"draft `{draft_id}`" in content and "<@U1>" in content
    response = dispatch(bot.app, action_body(ActionId.APPROVE, draft_id, user="U2", ts=ts))
    assert response.status == 200
    decided = bot.slack.wait_for("chat.update", lambda b: "Approved by <@U2>" in text_of(b))
    assert not has_buttons(decided) and GOOD_SQL.split(" FROM")[0] in text_of(decided)
    assert bot.copilot.get_draft(draft_id).review["status"] == "approved"


def test_edit_opens_a_prefilled_modal_shows_errors_and_saves_with_a_diff(bot):
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    dispatch(bot.app, action_body(ActionId.EDIT, draft_id, user="U2", ts=ts))
    opened = bot.slack.wait_for("views.open")
    assert opened["trigger_id"] == "trig.2" and opened["view"]["callback_id"] == CallbackId.EDIT_MODAL
    assert opened["view"]["blocks"][1]["element"]["initial_value"] == GOOD_SQL
    meta = json.loads(opened["view"]["private_metadata"])
    broken = {
        f"{BlockId.SCRIPT}0": {"script": {"value": "SELECT statuz FROM orders"}},
        BlockId.SAVE_ANYWAY: {"save_anyway": {"selected_options": []}},
    }
    refused = dispatch(bot.app, submission_body(CallbackId.EDIT_MODAL, broken, meta))
    errors = json.loads(refused.body)
    assert errors["response_action"] == "errors" and "statuz" in errors["errors"][f"{BlockId.SCRIPT}0"]
    assert bot.copilot.get_draft(draft_id).review["status"] == "pending"
    blank = {f"{BlockId.SCRIPT}0": {"script": {"value": "   "}}}
    assert (
        "blank"
        in json.loads(dispatch(bot.app, submission_body(CallbackId.EDIT_MODAL, blank, meta)).body)["errors"][
            f"{BlockId.SCRIPT}0"
        ]
    )
    fixed = {
        f"{BlockId.SCRIPT}0": {"script": {"value": GOOD_SQL.replace("DESC", "DESC LIMIT 3")}},
        BlockId.NOTE: {"note": {"value": "top three only"}},
    }
    saved = dispatch(bot.app, submission_body(CallbackId.EDIT_MODAL, fixed, meta))
    assert saved.status == 200 and not saved.body
    edited = bot.slack.wait_for("chat.update", lambda b: "Edited by <@U2>" in text_of(b))
    assert "+SELECT status" in text_of(edited) and "top three only" in text_of(edited)
    assert bot.copilot.get_draft(draft_id).effective_script_text.endswith("LIMIT 3")


def test_an_edit_with_errors_can_be_saved_anyway(bot):
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    meta = {"draft_id": draft_id, "channel": "C1", "ts": ts}
    values = {
        f"{BlockId.SCRIPT}0": {"script": {"value": "SELECT statuz FROM orders"}},
        BlockId.SAVE_ANYWAY: {"save_anyway": {"selected_options": [{"value": "yes"}]}},
    }
    refused = json.loads(dispatch(bot.app, submission_body(CallbackId.EDIT_MODAL, values, meta)).body)
    assert "note" in next(iter(refused["errors"].values()))
    assert bot.copilot.get_draft(draft_id).review["status"] == "pending"
    values[BlockId.NOTE] = {"note": {"value": "statuz is the new column, migration lands first"}}
    assert not dispatch(bot.app, submission_body(CallbackId.EDIT_MODAL, values, meta)).body
    draft = bot.copilot.get_draft(draft_id)
    assert draft.review["status"] == "edited" and draft.review["final_validation"]["status"] == "fail"


def test_reject_with_a_note_through_its_modal(bot):
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    dispatch(bot.app, action_body(ActionId.REJECT, draft_id, user="U2", ts=ts))
    opened = bot.slack.wait_for("views.open", lambda b: b["view"]["callback_id"] == CallbackId.REJECT_MODAL)
    meta = json.loads(opened["view"]["private_metadata"])
    values = {BlockId.NOTE: {"note": {"value": "we count cancelled orders separately"}}}
    assert not dispatch(bot.app, submission_body(CallbackId.REJECT_MODAL, values, meta)).body
    rejected = bot.slack.wait_for("chat.update", lambda b: "Rejected by <@U2>" in text_of(b))
    assert "we count cancelled orders separately" in text_of(rejected)


def test_an_unauthorized_click_is_ephemeral_and_audited(bot):
    bot.copilot.set_connection_options("shop", approvers=["slack:U9"])
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    dispatch(bot.app, action_body(ActionId.APPROVE, draft_id, user="U2", ts=ts))
    denied = bot.slack.wait_for("chat.postEphemeral")
    assert denied["user"] == "U2" and "<@U2> may not review drafts on this connection" in denied["text"]
    assert bot.copilot.get_draft(draft_id).review["status"] == "pending"
    assert [e.principal for e in bot.copilot.events(kind="review.denied")] == ["slack:U2"]


def test_user_group_approvers_are_resolved_and_cached(bot):
    bot.slack.groups["S1"] = ["U5"]
    bot.copilot.set_connection_options("shop", approvers=["slack-group:S1"])
    bot.llm.reply(llm_reply()).reply(llm_reply())
    first, ts = _draft(bot)
    second, ts2 = _draft(bot, "how many orders per status, again?")
    dispatch(bot.app, action_body(ActionId.APPROVE, first, user="U5", ts=ts))
    bot.slack.wait_for("chat.update", lambda b: "Approved by <@U5>" in text_of(b))
    dispatch(bot.app, action_body(ActionId.APPROVE, second, user="U6", ts=ts2))
    assert "may not review" in bot.slack.wait_for("chat.postEphemeral")["text"]
    assert len(bot.slack.of("usergroups.users.list")) == 1


def test_two_people_clicking_at_once_give_one_decision(bot):
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    barrier = threading.Barrier(2)

    def click(user):
        barrier.wait()
        dispatch(bot.app, action_body(ActionId.APPROVE, draft_id, user=user, ts=ts))

    threads = [threading.Thread(target=click, args=(u,)) for u in ("U2", "U3")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loser = bot.slack.wait_for("chat.postEphemeral")
    winner = bot.copilot.get_draft(draft_id).review["reviewed_by"].removeprefix("slack:")
    assert loser["user"] != winner and f"already approved by <@{winner}>" in loser["text"]
    assert len([b for b in bot.slack.of("chat.update") if "Approved by" in text_of(b)]) == 1


def test_forged_and_stale_requests_are_refused_with_401(bot):
    body = command_body("orders per status")
    assert dispatch(bot.app, body, secret="not-the-secret").status == 401
    import time

    assert dispatch(bot.app, body, timestamp=int(time.time()) - 600).status == 401
    assert bot.slack.of("chat.postMessage") == []


def test_a_model_outage_shows_the_reason_and_retry_works(bot):
    for _ in range(6):
        bot.llm.error(503, "model overloaded")
    draft_id, _ts = None, None
    dispatch(bot.app, command_body("how many orders per status?"))
    failed = bot.slack.wait_for("chat.update", lambda b: "Drafting failed" in text_of(b))
    assert "sqldraft_retry" in text_of(failed) and "(503)" in text_of(failed)
    draft_id = bot.copilot.history().items[0].id
    bot.llm.actions.clear()
    bot.llm.reply(llm_reply())
    dispatch(bot.app, action_body(ActionId.RETRY, draft_id, user="U1", ts=failed["ts"]))
    bot.slack.wait_for("chat.update", has_buttons)
    assert bot.copilot.get_draft(draft_id).status.value == "completed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Say what the SQL should do"),
        ("help", "/sqldraft use CONNECTION"),
        ("frobnicate", "is not a command"),
        ("on nowhere how many orders", "unknown connection 'nowhere'; known connections: shop"),
        ("x" * 4100, "the limit is 4,000"),
        ("use", "/sqldraft use CONNECTION"),
        ("connections", "`shop` (sqlite)"),
        ("validate SELECT statuz FROM orders", "schema.unknown_column"),
        ("history review:maybe", "review status 'maybe' is not one of its values"),
    ],
)
def test_bad_and_quick_commands_answer_in_the_ack(bot, text, expected):
    response = dispatch(bot.app, command_body(text))
    assert response.status == 200 and expected in ack_text(response)
    assert bot.slack.of("chat.postMessage") == []


def test_a_channel_without_a_default_connection_says_how_to_set_one(bot):
    response = dispatch(bot.app, command_body("how many orders per status?", channel="C77"))
    assert "/sqldraft use NAME" in ack_text(response)
    assert "this channel now drafts" in ack_text(dispatch(bot.app, command_body("use shop", channel="C77"))).lower()


def test_a_hinted_error_names_the_slack_command_to_use(bot, tmp_path):
    assert set(HINTS) == set(Hint)
    bot.copilot.add_connection("fresh", f"sqlite:///{tmp_path / 'nothing.db'}")
    text = ack_text(dispatch(bot.app, command_body("validate on fresh SELECT 1")))
    assert "connection 'fresh' has no snapshot yet: take one with `/sqldraft refresh fresh`" in text
    assert "sqldraft snapshot" not in text


def test_a_button_on_a_deleted_draft_is_explained(bot):
    bot.llm.reply(llm_reply())
    draft_id, ts = _draft(bot)
    with bot.copilot.store.uow() as uow:
        uow.session.execute(delete(DraftAttemptRow).where(DraftAttemptRow.draft_id == draft_id))
        uow.session.execute(delete(DraftRow).where(DraftRow.id == draft_id))
        uow.commit()
    dispatch(bot.app, action_body(ActionId.APPROVE, draft_id, user="U2", ts=ts))
    assert "no draft with id" in bot.slack.wait_for("chat.postEphemeral")["text"]


def test_a_failed_update_loses_nothing_and_show_posts_the_draft_again(bot):
    bot.slack.fail("chat.update", 200, {"ok": False, "error": "message_not_found"})
    bot.llm.reply(llm_reply())
    dispatch(bot.app, command_body("how many orders per status?"))
    bot.slack.wait_for("chat.update")
    draft = bot.copilot.history().items[0]
    assert bot.copilot.get_draft(draft.id).status.value == "completed"
    response = dispatch(bot.app, command_body(f"show {draft.id}"))
    assert "Posted draft" in ack_text(response)
    again = bot.slack.wait_for("chat.postMessage", has_buttons)
    assert bot.copilot.get_draft(draft.id).slack.ts is not None and again["channel"] == "C1"


def test_rate_limited_updates_are_retried(bot):
    bot.slack.fail("chat.update", 429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"})
    bot.llm.reply(llm_reply())
    dispatch(bot.app, command_body("how many orders per status?"))
    import time

    deadline = time.time() + 20
    while len(bot.slack.of("chat.update")) < 2 and time.time() < deadline:
        time.sleep(0.05)
    updates = bot.slack.of("chat.update")
    assert len(updates) == 2 and all(has_buttons(u) for u in updates)  # the same update, sent again after 429


def test_long_sql_is_split_across_blocks_and_huge_sql_goes_up_as_a_file(bot):
    columns = ",\n".join(f"  total_amount + {i} AS amount_plus_{i:04d}" for i in range(400))
    long_sql = f"SELECT\n{columns}\nFROM orders WHERE id = 1"
    bot.llm.reply(llm_reply(long_sql))
    _draft_id, _ts = _draft(bot, "every amount variant for order one")
    message = bot.slack.wait_for("chat.update", has_buttons)
    code = [
        b["text"]["text"]
        for b in message["blocks"]
        if b.get("type") == "section" and b["text"]["text"].startswith("```")
    ]
    assert len(code) > 1 and all(len(t) <= 3000 for t in code)
    assert "".join(t.strip("`") for t in code).replace("\n", "").count("AS amount_plus_") == 400
    huge = ",\n".join(f"  total_amount + {i} AS amount_plus_{i:05d}" for i in range(4000))
    bot.llm.reply(llm_reply(f"SELECT\n{huge}\nFROM orders WHERE id = 1"))
    dispatch(bot.app, command_body("every amount variant, the huge version"))
    bot.slack.wait_for("chat.update", lambda b: "attached as" in text_of(b), timeout=30)
    completed = bot.slack.wait_for("files.completeUploadExternal", timeout=30)
    assert completed and bot.slack.wait_for("upload")
