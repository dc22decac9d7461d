"""The approval policy reads what the script does (its validation), not the mode it was asked for."""

import pytest

from core.domain.review import OverrideRequired, ScriptFacts
from core.errors import Forbidden, InvalidInput

WRITES = {
    "query": "DELETE FROM orders WHERE id = 7",
    "dml": "UPDATE orders SET status = 'shipped' WHERE id = 7",
    "ddl": "ALTER TABLE orders ADD COLUMN note TEXT",
}


def _denials(copilot, draft_id):
    return [e.detail["reason"] for e in copilot.events(draft_id=draft_id, kind="review.denied")]


@pytest.mark.parametrize("mode", ["query", "dml", "ddl"])
def test_the_requester_of_a_script_that_writes_may_not_approve_it_in_any_mode(offline_shop, mode):
    draft = offline_shop.submit_sql("shop", WRITES[mode], mode=mode, requester="cli:ada")
    for decision, final in (("approve", None), ("edit", WRITES[mode] + " ")):
        with pytest.raises(Forbidden) as refused:
            offline_shop.review(draft.id, decision, "cli:ada", final_script=final, override=True, note="mine")
        expected = "re-file it as a dml or ddl draft" if mode == "query" else "four-eyes"
        assert expected in str(refused.value)
    assert len(_denials(offline_shop, draft.id)) == 2
    assert offline_shop.get_draft(draft.id).review["status"] == "pending"


def test_a_query_that_writes_is_never_approved_as_a_query_even_by_another_reviewer(offline_shop):
    draft = offline_shop.submit_sql("shop", "DELETE FROM orders", mode="query", requester="cli:ada")
    assert (draft.lint_status, draft.risk_level) == ("fail", "critical")
    with pytest.raises(Forbidden, match=r"script writes \(delete\), so it cannot be approved as a query: re-file"):
        offline_shop.review(draft.id, "approve", "cli:bob", override=True, note="I know")
    edited = offline_shop.review(draft.id, "edit", "cli:bob", final_script="SELECT count(*) FROM orders")
    assert edited.decision == "edited" and not edited.override  # edited into a read: fine


def test_the_policy_follows_the_script_so_a_read_filed_as_dml_may_be_self_approved(offline_shop):
    draft = offline_shop.submit_sql("shop", "SELECT id FROM orders WHERE id = 7", mode="dml", requester="cli:ada")
    assert offline_shop.review(draft.id, "approve", "cli:ada").decision == "approved"


def test_the_approver_list_applies_to_writes(offline_shop):
    offline_shop.set_connection_options("shop", approvers=["cli:carol"])
    draft = offline_shop.submit_sql("shop", WRITES["dml"], mode="dml", requester="cli:ada")
    with pytest.raises(Forbidden, match="ask one of cli:carol"):
        offline_shop.review(draft.id, "approve", "cli:bob")
    assert offline_shop.review(draft.id, "approve", "cli:carol").reviewer == "cli:carol"


def test_allow_self_approval_lets_the_requester_approve_their_write(offline_shop):
    offline_shop.set_connection_options("shop", allow_self_approval=True)
    draft = offline_shop.submit_sql("shop", WRITES["dml"], mode="dml", requester="cli:ada")
    assert offline_shop.review(draft.id, "approve", "cli:ada").decision == "approved"


def test_a_failing_script_needs_an_override_with_a_real_note(offline_shop):
    draft = offline_shop.submit_sql("shop", "SELECT SUM(p.amont) FROM payments p", requester="cli:ada")
    assert draft.lint_status == "fail"
    with pytest.raises(OverrideRequired, match=r"failed validation .* only with an explicit override and a note"):
        offline_shop.review(draft.id, "approve", "cli:bob")
    for blank in (None, "", "   ", "\t\n"):
        with pytest.raises(InvalidInput, match="an override needs a note"):
            offline_shop.review(draft.id, "approve", "cli:bob", override=True, note=blank)
    assert offline_shop.get_draft(draft.id).review["status"] == "pending"
    record = offline_shop.review(draft.id, "approve", "cli:bob", override=True, note="column is added tonight")
    assert record.override and record.note == "column is added tonight"
    trail = offline_shop.history_detail(draft.id)
    assert [r["override"] for r in trail["reviews"]] == [True]
    kinds = [e["kind"] for e in trail["events"]]
    assert kinds.index("review.override") < kinds.index("review.approved")
    override = next(e for e in trail["events"] if e["kind"] == "review.override")
    assert override["principal"] == "cli:bob" and override["detail"]["reason"] == "column is added tonight"
    assert len(_denials(offline_shop, draft.id)) == 5


def test_a_critical_dml_script_needs_an_override_too(offline_shop):
    draft = offline_shop.submit_sql("shop", "ATTACH DATABASE 'other.db' AS other", mode="dml", requester="cli:ada")
    assert draft.risk_level == "critical"
    with pytest.raises(OverrideRequired, match="critical risk"):
        offline_shop.review(draft.id, "approve", "cli:bob")
    assert offline_shop.review(draft.id, "approve", "cli:bob", override=True, note="one-off copy").override
    high = offline_shop.submit_sql("shop", "DELETE FROM orders", mode="dml", requester="cli:ada")
    assert high.risk_level == "high"  # high, not critical: four-eyes applies, no override needed
    assert not offline_shop.review(high.id, "approve", "cli:bob").override


def test_a_connection_can_refuse_overrides_altogether(offline_shop):
    offline_shop.set_connection_options("shop", allow_override=False)
    draft = offline_shop.submit_sql("shop", "SELECT nope FROM orders", requester="cli:ada")
    with pytest.raises(Forbidden, match="allows no override: edit it or reject it"):
        offline_shop.review(draft.id, "approve", "cli:bob", override=True, note="please")
    assert offline_shop.review(draft.id, "reject", "cli:bob").decision == "rejected"


def test_an_override_on_a_clean_script_is_no_override(offline_shop):
    draft = offline_shop.submit_sql("shop", "SELECT id FROM orders", requester="cli:ada")
    record = offline_shop.review(draft.id, "approve", "cli:bob", override=True, note="habit")
    assert not record.override and offline_shop.events(draft_id=draft.id, kind="review.override") == []


def test_script_facts_without_a_validation_are_judged_unsafe():
    facts = ScriptFacts.of(None)
    assert facts.writes and facts.needs_override
    unanalysable = ScriptFacts.of({"status": "warn", "risk_level": "high", "statement_types": ["unknown"]})
    assert unanalysable.writes and not unanalysable.needs_override


def test_overridden_approvals_and_failing_edits_never_become_examples(offline_shop):
    failing = offline_shop.submit_sql("shop", "SELECT nope FROM orders", requester="cli:ada")
    offline_shop.review(failing.id, "approve", "cli:bob", override=True, note="trust me")
    critical = offline_shop.submit_sql("shop", "ATTACH DATABASE 'x.db' AS x", mode="dml", requester="cli:ada")
    offline_shop.review(critical.id, "approve", "cli:bob", override=True, note="purge")
    good = offline_shop.submit_sql("shop", "SELECT id FROM orders WHERE status = 'paid'", requester="cli:ada")
    offline_shop.review(good.id, "edit", "cli:bob", final_script="SELECT id FROM orders WHERE nope = 1",
                        allow_invalid=True, note="nope comes later")  # fmt: skip
    fine = offline_shop.submit_sql("shop", "SELECT id, status FROM orders", requester="cli:ada")
    offline_shop.review(fine.id, "approve", "cli:bob")
    assert [e.draft_id for e in offline_shop.list_examples("shop")] == [fine.id]
    rejected = {e.draft_id: e for e in offline_shop.list_examples("shop", "rejected-by-policy")}
    assert set(rejected) == {failing.id, critical.id, good.id}
    assert all("override" in e.status_reason for e in rejected.values())
    active = offline_shop.list_examples("shop")[0]
    assert active.status_reason.startswith("validated pass with risk none against snapshot")
    kinds = [e.kind for e in offline_shop.events(kind="example.")]
    assert kinds == ["example.rejected", "example.rejected", "example.rejected", "example.added"]


def test_a_failing_or_risky_approval_without_override_is_rejected_by_policy_by_its_rule():
    from core.services.examples import example_rejection

    clean = {"status": "pass", "risk_level": "low", "findings": []}
    assert example_rejection(clean, "query") is None
    assert example_rejection({**clean, "risk_level": "medium"}, "dml") is None
    assert "query with medium risk" in example_rejection({**clean, "risk_level": "medium"}, "query")
    failing = {"status": "fail", "risk_level": "none", "findings": [{"severity": "error", "line": 1, "message": "x"}]}
    assert "failed validation (1 error finding(s); first: line 1: x)" in example_rejection(failing, "dml")
    assert "override" in example_rejection(clean, "query", overridden=True)
