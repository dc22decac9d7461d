import json

import pytest


@pytest.fixture
def offline_shop(shop_copilot_factory):
    return shop_copilot_factory(generator="offline")


@pytest.fixture
def completed(offline_shop):
    """make(request) -> a completed query draft on the shop database, requested by cli:ada."""

    def make(request="How many orders per status?", requester="cli:ada"):
        draft = offline_shop.draft("shop", request, requester=requester)
        assert draft.status.value == "completed"
        return draft

    return make


@pytest.fixture
def llm_shop(shop_copilot_factory, fake_llm):
    copilot = shop_copilot_factory(generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key="k")

    def dml(sql="UPDATE orders SET status = 'shipped' WHERE id = 7", requester="cli:ada"):
        fake_llm.reply(json.dumps({"sql": sql, "explanation": "x", "confidence": 0.7}))
        return copilot.draft("shop", "ship order 7", mode="dml", requester=requester)

    copilot.make_dml = dml
    return copilot
