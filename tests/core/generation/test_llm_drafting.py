"""Drafting through the real openai SDK against a scripted OpenAI-compatible server on loopback."""

import json
import time

import pytest
from sqlalchemy import func, select

from core.errors import ConfigurationError
from core.store.models import DraftRow

GOOD_SQL = "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY n DESC"
API_KEY = "test-key-not-a-real-secret"


def reply(sql=GOOD_SQL, **extra):
    body = {
        "sql": sql,
        "explanation": "Counts orders per status.",
        "assumptions": ["all statuses count"],
        "plan_steps": ["group orders by status"],
        "unresolved_questions": [],
        "confidence": 0.9,
    }
    body.update(extra)
    return json.dumps(body)


@pytest.fixture
def llm_copilot(shop_copilot_factory, fake_llm):
    def make(**extra):
        settings = {
            "generator": "llm",
            "llm_base_url": fake_llm.url,
            "llm_model": "fake-model",
            "llm_api_key": API_KEY,
            "llm_timeout": 5.0,
        } | extra
        return shop_copilot_factory(**settings)

    return make


def test_a_good_answer_becomes_a_completed_validated_draft(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.reply(reply())
    draft = copilot.draft("shop", "  How many orders per status?  ", requester="cli:ada")
    assert draft.status.value == "completed" and draft.lint_status == "pass"
    assert draft.request == "How many orders per status?"
    assert draft.generated_script == GOOD_SQL == draft.effective_script_text
    assert draft.explanation == "Counts orders per status." and draft.assumptions == ["all statuses count"]
    assert draft.confidence == 0.9 and draft.attempt_count == 1
    assert (draft.llm.prompt_tokens, draft.llm.completion_tokens, draft.llm.model) == (120, 40, "fake-model")
    assert draft.references["tables"][0]["table"] == "orders"
    assert any(o["name"] == "orders" for o in draft.impacted_objects)
    sent = fake_llm.requests[0]
    assert sent["temperature"] == 0 and sent["model"] == "fake-model"
    assert sent["response_format"] == {"type": "json_object"}
    system = sent["messages"][0]["content"]
    assert "SQLite" in system and "CREATE TABLE orders" in system and "a customer's checkout" in system
    prompt = json.dumps(sent)
    assert "customer1@example.com" not in prompt  # no data rows in a prompt
    assert API_KEY not in prompt and "sqlite:///" not in prompt  # no credential, no URL
    assert fake_llm.headers[0]["authorization"] == f"Bearer {API_KEY}"


def test_a_chatty_fenced_answer_is_read(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.reply("Sure, here you go:\n```json\n" + reply() + "\n```\nLet me know if you need more!")
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "completed" and draft.generated_script == GOOD_SQL


def test_invalid_json_is_asked_again_then_fails_with_the_reason(llm_copilot, fake_llm):
    copilot = llm_copilot(max_repair_attempts=1)
    fake_llm.reply("I think you want to count the orders.").reply("{not json")
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "failed"
    assert "not the JSON object" in draft.error_message and draft.attempt_count == 2
    assert "JSON object only" in fake_llm.requests[1]["messages"][-1]["content"]


def test_an_unknown_column_is_sent_back_and_fixed(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.reply(reply("SELECT statuz, count(*) FROM orders GROUP BY statuz")).reply(reply())
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "completed" and draft.lint_status == "pass" and draft.warning is None
    assert [a.kind for a in draft.attempts] == ["generate", "repair"]
    assert draft.attempts[0].lint_status == "fail" and draft.attempts[0].findings[0]["rule"] == "schema.unknown_column"
    repair = fake_llm.requests[1]["messages"][-1]["content"]
    assert "statuz" in repair and "did you mean status" in repair
    assert fake_llm.requests[1]["messages"][-2]["role"] == "assistant"


def test_still_broken_after_the_limit_is_kept_with_a_warning(llm_copilot, fake_llm):
    copilot = llm_copilot(max_repair_attempts=2)
    for _ in range(3):
        fake_llm.reply(reply("SELECT statuz FROM orders"))
    draft = copilot.draft("shop", "order statuses", requester="cli:ada")
    assert draft.status.value == "completed" and draft.lint_status == "fail"
    assert draft.attempt_count == 3 and "did not validate after 3 attempt(s)" in draft.warning
    assert draft.generated_script == "SELECT statuz FROM orders"


def test_several_statements_in_a_query_are_repaired(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.reply(reply("SELECT id FROM orders; DELETE FROM orders")).reply(reply())
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.lint_status == "pass" and draft.attempt_count == 2
    assert "risk.multiple_statements" in fake_llm.requests[1]["messages"][-1]["content"]


def test_a_timeout_fails_the_draft_with_the_reason(llm_copilot, fake_llm):
    copilot = llm_copilot(llm_timeout=1.0)
    fake_llm.reply(reply(), delay=3.0).reply(reply(), delay=3.0)
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "failed" and "did not answer within 1 s" in draft.error_message


def test_a_500_is_retried_and_then_succeeds(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.error(500, "upstream exploded").reply(reply())
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "completed" and len(fake_llm.requests) == 2 and draft.attempt_count == 1


def test_a_401_fails_without_leaking_the_key(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.error(401, f"Incorrect API key provided: {API_KEY}")
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "failed" and "(401)" in draft.error_message
    assert API_KEY not in draft.error_message and len(fake_llm.requests) == 1  # not retried


def test_a_429_waits_for_retry_after(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.error(429, "slow down", headers={"Retry-After": "1"}).reply(reply())
    start = time.monotonic()
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "completed"
    assert time.monotonic() - start >= 0.9  # it honoured Retry-After instead of hammering the endpoint
    assert len(fake_llm.requests) == 2


def test_a_429_longer_than_the_timeout_fails_fast(llm_copilot, fake_llm):
    copilot = llm_copilot(llm_timeout=2.0)
    fake_llm.error(429, "slow down", headers={"Retry-After": "120"})
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "failed" and "rate limiting (429)" in draft.error_message


def test_an_endpoint_without_json_mode_is_asked_without_it(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.error(400, "response_format json_object is not supported by this model").reply(reply())
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "completed"
    assert "response_format" not in fake_llm.requests[1]


def test_clarification_needed_is_its_own_status(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.reply(reply("", clarification_needed=True, unresolved_questions=["Which month do you mean?"]))
    draft = copilot.draft("shop", "sales last period", requester="cli:ada")
    assert draft.status.value == "clarification_needed"
    assert draft.unresolved_questions == ["Which month do you mean?"] and draft.generated_script is None


def test_non_sql_is_reported_not_passed(llm_copilot, fake_llm):
    copilot = llm_copilot(max_repair_attempts=0)
    fake_llm.reply(reply("Sorry, I cannot help with that."))
    draft = copilot.draft("shop", "orders per status", requester="cli:ada")
    assert draft.status.value == "completed" and draft.lint_status == "fail" and draft.warning


def test_an_unconfigured_llm_names_the_missing_settings_and_stores_nothing(shop_copilot_factory):
    copilot = shop_copilot_factory(generator="llm")
    with pytest.raises(ConfigurationError, match=r"SQLDRAFT_LLM_MODEL.*SQLDRAFT_LLM_API_KEY"):
        copilot.draft("shop", "orders per status", requester="cli:ada")
    with copilot.store.session() as s:
        assert s.scalar(select(func.count()).select_from(DraftRow)) == 0


def test_a_broken_llm_never_falls_back_to_offline(llm_copilot, fake_llm):
    copilot = llm_copilot()
    fake_llm.error(503, "down").error(503, "down").error(503, "down").error(503, "down").error(503, "down")
    draft = copilot.draft("shop", "How many orders per status?", requester="cli:ada")
    assert draft.status.value == "failed" and draft.generator == "llm"
    assert draft.generated_script is None


def test_the_prompt_names_dialect_and_server_version_for_postgres(shop_copilot_factory, fake_llm, pg_url):
    from tests.support.servers import run_pg

    run_pg(pg_url, "CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL)")
    copilot = shop_copilot_factory(generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key=API_KEY)
    copilot.add_connection("pg", pg_url)
    copilot.refresh_snapshot("pg")
    fake_llm.reply(reply("SELECT id FROM accounts WHERE email ILIKE '%@x.org'"))
    draft = copilot.draft("pg", "accounts at x.org", requester="cli:ada")
    system = fake_llm.requests[0]["messages"][0]["content"]
    version = copilot.current_snapshot("pg").server_version
    assert f"PostgreSQL {version}" in system and "ILIKE" in system
    assert draft.lint_status in ("pass", "warn")
