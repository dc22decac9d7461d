import json

import pytest

from mcp_server.auth import Identity
from mcp_server.server import build_server

REVIEW_TOKEN = "review-token-not-a-real-secret-1"
DRAFT_TOKEN = "draft-token-not-a-real-secret-22"
GOOD_SQL = "SELECT status, count(*) AS n FROM orders GROUP BY status"


def reply(sql=GOOD_SQL):
    return json.dumps({"sql": sql, "explanation": "Counts orders per status.", "confidence": 0.8})


@pytest.fixture
def mcp_copilot(shop_copilot_factory, fake_llm):
    return shop_copilot_factory(
        generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key="k", llm_timeout=5.0
    )


@pytest.fixture
def local_server(mcp_copilot):
    """The server in-process, as the local user (draft and review scopes), like stdio."""
    return build_server(
        lambda: mcp_copilot,
        default_identity=Identity("mcp:local-ada", frozenset({"draft", "review"})),
        close_on_exit=False,
    )


def result(call):
    """The structured result of a successful tool call."""
    assert not call.is_error, call.content
    assert json.loads(call.content[0].text) == call.structured_content  # the text mirrors the structure
    return call.structured_content
