"""Review requests from outside Slack: the outbox drainer posts them; the override dialog; four-eyes in Slack."""

import json
from datetime import timedelta

from bot.drainer import ReviewDrainer
from bot.ids import ActionId, BlockId, CallbackId
from bot.listeners.views.override_modal import NOTE_REQUIRED
from bot.presenter import Presenter
from tests.bot.conftest import GOOD_SQL, has_buttons, text_of
from tests.support.slack_requests import action_body, dispatch, submission_body


def _drainer(bot, worker="slack:test-1"):
    return ReviewDrainer(bot.copilot, Presenter(bot.copilot, bot.app.client), worker=worker)


def test_a_submitted_draft_is_posted_to_the_review_channel_and_approved_from_it(bot):
    bot.copilot.set_connection_options("shop", review_channel="C7")
    draft = bot.copilot.submit_sql("shop", GOOD_SQL, purpose="orders per status", requester="cli:ada")
    drainer = _drainer(bot)
    assert drainer.drain_once() == 1
    assert drainer.drain_once() == 0  # delivered once
    [posted] = bot.slack.of("chat.postMessage")
    assert posted["channel"] == "C7" and has_buttons(posted) and f"draft `{draft.id}`" in text_of(posted)
    stored = bot.copilot.get_draft(draft.id)
    assert stored.slack is not None and stored.slack.channel == "C7" and stored.slack.ts
    dispatch(bot.app, action_body(ActionId.APPROVE, draft.id, user="U2", channel="C7", ts=stored.slack.ts))
    decided = bot.slack.wait_for("chat.update", lambda b: "Approved by <@U2>" in text_of(b))
    assert decided["channel"] == "C7" and decided["ts"] == stored.slack.ts
    assert bot.copilot.get_draft(draft.id).review["status"] == "approved"


def test_a_channel_the_bot_is_not_in_fails_with_the_reason_in_history_and_is_retried(bot):
    bot.copilot.set_connection_options("shop", review_channel="C404")
    draft = bot.copilot.submit_sql("shop", GOOD_SQL, requester="cli:ada")
    bot.slack.fail("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
    drainer = _drainer(bot)
    assert drainer.drain_once() == 0
    [request] = bot.copilot.review_requests(draft.id)
    assert request.status == "pending" and "not_in_channel" in (request.last_error or "")
    assert "/invite" in (request.last_error or "")
    [failed] = bot.copilot.events(kind="review_request.failed")
    assert failed.draft_id == draft.id and "not_in_channel" in failed.detail["reason"]
    assert drainer.drain_once() == 0  # backing off: not due yet
    real_clock = bot.copilot.clock
    bot.copilot.clock = lambda: real_clock() + timedelta(minutes=5)
    assert drainer.drain_once() == 1
    [request] = bot.copilot.review_requests(draft.id)
    assert request.status == "delivered" and request.attempts == 2
    assert [b["channel"] for b in bot.slack.of("chat.postMessage")] == ["C404", "C404"]  # refused, then posted
    assert bot.copilot.get_draft(draft.id).slack.channel == "C404"


def test_a_failing_script_is_approved_only_through_the_override_dialog_with_a_note(bot):
    draft = bot.copilot.submit_sql("shop", "SELECT statuz FROM orders", requester="cli:ada")
    assert draft.lint_status == "fail"
    dispatch(bot.app, action_body(ActionId.APPROVE, draft.id, user="U2"))
    opened = bot.slack.wait_for("views.open", lambda b: b["view"]["callback_id"] == CallbackId.OVERRIDE_MODAL)
    assert "required" in json.dumps(opened["view"]["blocks"])
    assert bot.copilot.get_draft(draft.id).review["status"] == "pending"
    meta = json.loads(opened["view"]["private_metadata"])
    blank = {BlockId.NOTE: {"note": {"value": "   "}}}
    refused = json.loads(dispatch(bot.app, submission_body(CallbackId.OVERRIDE_MODAL, blank, meta)).body)
    assert refused["errors"] == {BlockId.NOTE: NOTE_REQUIRED}
    assert bot.copilot.get_draft(draft.id).review["status"] == "pending"
    why = {BlockId.NOTE: {"note": {"value": "statuz ships in tonight's migration"}}}
    assert not dispatch(bot.app, submission_body(CallbackId.OVERRIDE_MODAL, why, meta)).body
    [record] = [r for r in bot.copilot.review_trail(draft.id) if r.decision == "approved"]
    assert record.reviewer == "slack:U2" and record.note == "statuz ships in tonight's migration"


def test_the_edit_modal_says_saving_anyway_needs_a_note(bot):
    draft = bot.copilot.submit_sql("shop", GOOD_SQL, requester="cli:ada")
    dispatch(bot.app, action_body(ActionId.EDIT, draft.id, user="U2"))
    opened = bot.slack.wait_for("views.open", lambda b: b["view"]["callback_id"] == CallbackId.EDIT_MODAL)
    assert "saving anyway needs a note" in json.dumps(opened["view"]["blocks"])


def test_self_approval_of_a_write_is_refused_in_slack_wording(bot):
    for mode in ("query", "dml"):
        draft = bot.copilot.submit_sql("shop", "DELETE FROM orders WHERE id = 1", mode=mode, requester="slack:U2")
        before = len(bot.slack.of("chat.postEphemeral"))
        dispatch(bot.app, action_body(ActionId.APPROVE, draft.id, user="U2"))
        bot.slack.wait_for("chat.postEphemeral", lambda b, n=before: len(bot.slack.of("chat.postEphemeral")) > n)
        denied = bot.slack.of("chat.postEphemeral")[-1]
        assert denied["user"] == "U2" and denied["text"].startswith(":warning: ")
        assert "slack:U2" not in denied["text"]
        assert bot.copilot.get_draft(draft.id).review["status"] == "pending"
