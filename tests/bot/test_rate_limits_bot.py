"""A rate limit refusal in Slack is an ephemeral answer saying how long to wait; no draft is made."""

from bot.app import build_app
from tests.bot.conftest import ack_text, llm_reply
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SECRET, command_body, dispatch


def test_the_second_command_over_the_limit_is_answered_with_the_wait(shop_copilot_factory, fake_llm):
    with FakeSlack() as slack:
        copilot = shop_copilot_factory(
            generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key="k", llm_timeout=5.0,
            slack_bot_token="xoxb-test-not-a-real-token", slack_signing_secret=SECRET, slack_api_url=slack.api_url,
            rate_limits="draft=1/hour",
        )  # fmt: skip
        app = build_app(copilot.settings, copilot)
        copilot.bind_connection("slack:C1", "shop", principal="slack:U0")
        fake_llm.reply(llm_reply())
        assert dispatch(app, command_body("how many orders per status?")).status == 200
        refused = dispatch(app, command_body("and per customer?"))
        assert refused.status == 200
        text = ack_text(refused)
        assert "rate limit reached" in text and "try again in" in text
        assert copilot.history().total == 1
        assert [e.principal for e in copilot.events(kind="rate_limited")] == ["slack:U1"]
