"""/sqldraft status: who drafts, the same status as `sqldraft llm status`, answered in the ack."""

import pytest

from bot import grammar
from bot.app import build_app
from tests.bot.conftest import ack_text
from tests.support.slack_requests import SECRET, command_body, dispatch


def test_status_names_the_model_and_its_endpoint_never_the_key(bot):
    text = ack_text(dispatch(bot.app, command_body("status")))
    host = bot.llm.url.split("/")[2]
    assert text.startswith(f"*Drafting:* model `m` at `{host}`") and "sqldraft llm check" in text
    assert bot.slack.of("chat.postMessage") == [] and bot.llm.attempts == 0  # no model call for a status


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"generator": "offline"}, "*Drafting:* the offline generator"),
        ({"generator": "llm", "llm_base_url": "http://models.internal/v1"}, "`SQLDRAFT_LLM_MODEL (or OPENAI_MODEL)`"),
    ],
    ids=["offline", "llm-without-a-model"],
)
def test_status_says_what_an_incomplete_setup_lacks(shop_copilot_factory, slack, extra, expected):
    copilot = shop_copilot_factory(
        slack_bot_token="xoxb-test-not-a-real-token", slack_signing_secret=SECRET, slack_api_url=slack.api_url, **extra
    )
    app = build_app(copilot.settings, copilot)
    assert expected in ack_text(dispatch(app, command_body("status")))


def test_status_takes_nothing_after_it():
    assert grammar.parse("status now") == grammar.Usage("`status` takes nothing after it.")
    assert grammar.parse("status") == grammar.Status() and "/sqldraft status" in grammar.HELP
