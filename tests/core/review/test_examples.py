"""The examples library: made by decisions, used by prompts, made stale by snapshots, curated by hand."""

import json

import pytest

from core.errors import InvalidInput, NotFound
from tests.support.servers import run_sqlite


def test_approvals_and_edits_become_examples_and_a_noted_rejection_a_negative_one(offline_shop, completed):
    approved, edited, rejected, silent = (
        completed(),
        completed("latest 10 payments"),
        completed("How many customers are there?"),
        completed("Top 3 customers by total amount"),
    )
    offline_shop.review(approved.id, "approve", "cli:bob")
    final = edited.generated_script.replace("LIMIT 10", "LIMIT 3")
    offline_shop.review(edited.id, "edit", "cli:bob", final_script=final)
    offline_shop.review(rejected.id, "reject", "cli:bob", note="count active customers only")
    offline_shop.review(silent.id, "reject", "cli:bob")
    examples = {e.draft_id: e for e in offline_shop.list_examples("shop")}
    assert set(examples) == {approved.id, edited.id, rejected.id}
    assert examples[edited.id].sql == final and examples[approved.id].tables == ["orders"]
    assert examples[rejected.id].negative and examples[rejected.id].note == "count active customers only"
    assert examples[approved.id].snapshot_checksum == offline_shop.current_snapshot("shop").checksum


def test_a_schema_change_makes_examples_stale_and_a_change_back_revives_them(offline_shop, completed, tmp_path):
    draft = completed("How many orders per status?")
    offline_shop.review(draft.id, "approve", "cli:bob")
    db = str(tmp_path / "shop0.db")
    heard = []
    offline_shop.add_drift_listener(heard.append)
    run_sqlite(db, "ALTER TABLE orders RENAME COLUMN status TO state")
    assert offline_shop.refresh_snapshot("shop").status == "changed"
    assert offline_shop.list_examples("shop") == []
    stale = offline_shop.list_examples("shop", "stale")
    assert len(stale) == 1 and "status" in stale[0].status_reason
    assert [e["id"] for e in heard[0].details["stale_examples"]] == [stale[0].id]
    assert [e.kind for e in offline_shop.events(kind="example.")][-1] == "example.stale"
    run_sqlite(db, "ALTER TABLE orders RENAME COLUMN state TO status")
    offline_shop.refresh_snapshot("shop")
    assert [e.id for e in offline_shop.list_examples("shop")] == [stale[0].id]
    assert heard[1].details["revived_examples"][0]["id"] == stale[0].id


def test_drift_lists_drafts_awaiting_review_on_changed_tables(offline_shop, completed, tmp_path):
    waiting = completed("latest 10 payments")
    completed("How many customers are there?")
    heard = []
    offline_shop.add_drift_listener(heard.append)
    run_sqlite(str(tmp_path / "shop0.db"), "ALTER TABLE payments ADD COLUMN currency TEXT")
    offline_shop.refresh_snapshot("shop")
    assert heard[0].details["drafts_awaiting_review"] == [
        {"id": waiting.id, "request": "latest 10 payments", "tables": ["payments"]}
    ]


def test_relevant_active_examples_go_into_the_prompt(shop_copilot_factory, fake_llm):
    copilot = shop_copilot_factory(generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key="k")
    copilot.add_example(
        "shop",
        "revenue per payment method",
        "SELECT method, sum(amount) FROM payments GROUP BY method",
        principal="cli:bob",
    )
    copilot.add_example("shop", "count products", "SELECT count(*) FROM products", principal="cli:bob")
    copilot.add_example(
        "shop",
        "payments per method",
        "SELECT method FROM paymentz",
        principal="cli:bob",
        negative=True,
        note="paymentz does not exist",
    )
    fake_llm.reply(json.dumps({"sql": "SELECT method, count(*) FROM payments GROUP BY method", "explanation": "x"}))
    draft = copilot.draft("shop", "How many payments per payment method?", requester="cli:ada")
    system = fake_llm.requests[0]["messages"][0]["content"]
    assert "Request: revenue per payment method" in system
    assert "count products" not in system  # not relevant
    assert "Reviewer's note: paymentz does not exist" in system
    assert next(e["request"] for e in draft.references["examples"]) == "revenue per payment method"


def test_examples_are_curated_by_hand(offline_shop):
    with pytest.raises(InvalidInput, match="does not validate"):
        offline_shop.add_example("shop", "broken", "SELECT nope FROM orders", principal="cli:bob")
    with pytest.raises(InvalidInput, match="needs a request and its SQL"):
        offline_shop.add_example("shop", " ", "SELECT 1", principal="cli:bob")
    added = offline_shop.add_example(
        "shop", "paid orders", "SELECT id FROM orders WHERE status = 'paid'", principal="cli:bob"
    )
    assert added.status == "active" and added.tables == ["orders"]
    offline_shop.remove_example(added.id, principal="cli:bob")
    assert offline_shop.list_examples("shop") == []
    assert offline_shop.list_examples("shop", "removed")[0].status_reason == "removed by cli:bob"
    with pytest.raises(NotFound, match="no example with id"):
        offline_shop.remove_example(added.id, principal="cli:bob")
    with pytest.raises(InvalidInput, match="unknown example status"):
        offline_shop.list_examples("shop", "old")


def test_every_state_change_is_an_audit_event(offline_shop, completed):
    draft = completed()
    offline_shop.review(draft.id, "approve", "cli:bob")
    offline_shop.reopen(draft.id, "cli:bob")
    kinds = [(e.kind, e.principal) for e in offline_shop.events(draft_id=draft.id)]
    assert kinds == [
        ("draft.created", "cli:ada"),
        ("draft.attempt", "system:sqldraft"),
        ("draft.completed", "system:sqldraft"),
        ("review.approved", "cli:bob"),
        ("example.added", "cli:bob"),
        ("example.removed", "cli:bob"),
        ("review.reopened", "cli:bob"),
    ]
    assert [e.kind for e in offline_shop.events(kind="review.")] == ["review.approved", "review.reopened"]
    assert offline_shop.events(principal="cli:nobody") == []
