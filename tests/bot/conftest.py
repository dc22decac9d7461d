import json
from types import SimpleNamespace

import pytest

from bot.app import build_app
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SECRET

GOOD_SQL = "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY n DESC"


def llm_reply(sql=GOOD_SQL, **extra):
    return json.dumps(
        {
            "sql": sql,
            "explanation": "Counts orders per status.",
            "assumptions": ["every status"],
            "confidence": 0.8,
            **extra,
        }
    )


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def bot(shop_copilot_factory, slack, fake_llm):
    copilot = shop_copilot_factory(
        generator="llm",
        llm_base_url=fake_llm.url,
        llm_model="m",
        llm_api_key="k",
        llm_timeout=5.0,
        slack_bot_token="xoxb-test-not-a-real-token",
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
    )
    app = build_app(copilot.settings, copilot)
    copilot.bind_connection("slack:C1", "shop", principal="slack:U0")
    return SimpleNamespace(app=app, copilot=copilot, slack=slack, llm=fake_llm)


def ack_text(response):
    """What the user sees from an ack: Bolt answers a text-only ack as plain text, others as JSON."""
    if not response.body:
        return ""
    try:
        return json.loads(response.body).get("text", "")
    except json.JSONDecodeError:
        return response.body


def has_buttons(body):
    return any(
        b.get("type") == "actions" and any(e.get("action_id") == "sqldraft_approve" for e in b["elements"])
        for b in body.get("blocks", [])
    )


def text_of(body):
    return json.dumps(body.get("blocks", []))
