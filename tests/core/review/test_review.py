"""Review: decisions, state rules, approval policy, concurrency, reopening."""

import threading

import pytest
from sqlalchemy import func, select, update

from core.bootstrap import build_copilot
from core.errors import Conflict, Forbidden, InvalidEdit, InvalidInput, NotFound
from core.store.models import DraftRow, ReviewRow
from tests.conftest import make_settings


def _reviews(copilot):
    with copilot.store.session() as s:
        return s.scalar(select(func.count()).select_from(ReviewRow))


def test_approve_records_the_decision_and_keeps_the_generated_script(offline_shop, completed):
    draft = completed()
    record = offline_shop.review(draft.id, "approve", "cli:bob", note="looks right")
    assert (record.decision, record.reviewer, record.note) == ("approved", "cli:bob", "looks right")
    after = offline_shop.get_draft(draft.id)
    assert after.review["status"] == "approved" and after.review["reviewed_by"] == "cli:bob"
    assert after.effective_script_text == draft.generated_script and after.review["final_script"] is None


def test_edit_stores_the_final_script_its_diff_and_its_validation(offline_shop, completed):
    draft = completed()
    final = draft.generated_script.replace("COUNT(*) AS count", "COUNT(*) AS n, max(o.nope) AS oops")
    with pytest.raises(InvalidEdit, match=r"2 error finding\(s\): line 3: column 'nope'") as refused:
        offline_shop.review(draft.id, "edit", "cli:bob", final_script=final)
    assert {f["rule"] for f in refused.value.findings} == {"schema.unknown_column"}
    assert offline_shop.get_draft(draft.id).review["status"] == "pending"  # refused: nothing changed
    with pytest.raises(InvalidInput, match="an override needs a note"):
        offline_shop.review(draft.id, "edit", "cli:bob", final_script=final, allow_invalid=True)
    record = offline_shop.review(
        draft.id, "edit", "cli:bob", final_script=final, allow_invalid=True, note="nope is added next week"
    )
    assert record.override  # saving a failing edit is an override, recorded as one
    assert record.diff.startswith("--- generated.sql\n+++ final.sql\n")
    assert "-  COUNT(*) AS count" in record.diff and "+  COUNT(*) AS n, max(o.nope) AS oops" in record.diff
    assert record.validation["status"] == "fail"  # re-validated: the edit introduced an unknown column
    assert record.validation["findings"][0]["rule"] == "schema.unknown_column"
    after = offline_shop.get_draft(draft.id)
    assert after.effective_script_text == final.strip() and after.review["diff"] == record.diff
    assert after.review["final_validation"]["status"] == "fail"


@pytest.mark.parametrize(
    ("decision", "final", "message"),
    [
        ("approve-ish", None, "unknown decision 'approve-ish'"),
        ("edit", "   ", "the final script: it is blank"),
        ("edit", "SELECT 1 " + "x" * 100_000, "the limit is 100,000"),
        ("approve", "SELECT 1", "a final script only goes with an edit"),
    ],
)
def test_bad_decisions_change_nothing(offline_shop, completed, decision, final, message):
    draft = completed()
    with pytest.raises(InvalidInput, match=message):
        offline_shop.review(draft.id, decision, "cli:bob", final_script=final)
    assert offline_shop.get_draft(draft.id).review["status"] == "pending" and _reviews(offline_shop) == 0


def test_unknown_drafts_and_bad_principals_are_refused(offline_shop, completed):
    with pytest.raises(NotFound, match="no draft with id"):
        offline_shop.review("dzzzzzzzzz", "approve", "cli:bob")
    with pytest.raises(InvalidInput, match="is not a principal"):
        offline_shop.review(completed().id, "approve", "bob")


def test_only_completed_drafts_are_reviewed_and_clarifications_only_rejected(offline_shop, completed):
    unclear = offline_shop.draft("shop", "Why did revenue drop?", requester="cli:ada")
    with pytest.raises(Conflict, match="is clarification_needed: only completed drafts"):
        offline_shop.review(unclear.id, "approve", "cli:bob")
    assert offline_shop.review(unclear.id, "reject", "cli:bob", note="too vague").decision == "rejected"
    for status in ("failed", "queued", "canceled", "running"):
        draft = completed()
        with offline_shop.store.uow() as uow:
            uow.session.execute(update(DraftRow).where(DraftRow.id == draft.id).values(status=status))
            uow.commit()
        with pytest.raises(Conflict, match=f"is {status}: only completed drafts"):
            offline_shop.review(draft.id, "approve", "cli:bob")


def test_a_second_decision_names_the_first(offline_shop, completed):
    draft = completed()
    offline_shop.review(draft.id, "approve", "cli:bob")
    with pytest.raises(Conflict, match=r"already approved by cli:bob at \d{4}-\d\d-\d\d \d\d:\d\d UTC"):
        offline_shop.review(draft.id, "reject", "cli:carol")
    assert _reviews(offline_shop) == 1


def test_the_approver_list_and_groups_decide_who_may_review(offline_shop, completed):
    offline_shop.set_connection_options("shop", approvers=["cli:bob", "slack-group:S1"])
    draft = completed()
    with pytest.raises(Forbidden, match="cli:mallory may not review drafts on this connection: ask one of cli:bob"):
        offline_shop.review(draft.id, "approve", "cli:mallory")
    denied = offline_shop.events(kind="review.denied")
    assert [(e.principal, e.draft_id) for e in denied] == [("cli:mallory", draft.id)]
    from core.domain.review import Principal

    member = Principal("slack:U9", groups=("slack-group:S1",))
    assert offline_shop.review(draft.id, "approve", member).reviewer == "slack:U9"


def test_the_global_approver_setting_applies_when_a_connection_has_none(shop_copilot_factory):
    copilot = shop_copilot_factory(generator="offline", approvers="cli:boss")
    draft = copilot.draft("shop", "How many orders per status?", requester="cli:ada")
    with pytest.raises(Forbidden):
        copilot.review(draft.id, "approve", "cli:bob")
    assert copilot.review(draft.id, "approve", "cli:boss").decision == "approved"


def test_four_eyes_for_dml_unless_the_connection_allows_it(llm_shop):
    draft = llm_shop.make_dml()
    assert draft.mode == "dml" and draft.status.value == "completed"
    with pytest.raises(Forbidden, match="four-eyes"):
        llm_shop.review(draft.id, "approve", "cli:ada")
    with pytest.raises(Forbidden, match="four-eyes"):
        llm_shop.review(draft.id, "edit", "cli:ada", final_script=draft.generated_script + " AND status = 'paid'")
    assert llm_shop.review(draft.id, "approve", "cli:bob").decision == "approved"
    withdrawn = llm_shop.make_dml()
    assert llm_shop.review(withdrawn.id, "reject", "cli:ada", note="not needed").decision == "rejected"
    llm_shop.set_connection_options("shop", allow_self_approval=True)
    own = llm_shop.make_dml()
    assert llm_shop.review(own.id, "approve", "cli:ada").decision == "approved"


def test_a_local_assistant_is_its_user_for_four_eyes(llm_shop):
    draft = llm_shop.make_dml()  # requested by cli:ada
    with pytest.raises(Forbidden, match="may not approve it too"):
        llm_shop.review(draft.id, "approve", "mcp:local-ada")
    with pytest.raises(Forbidden, match="may not edit it too"):
        llm_shop.review(draft.id, "edit", "mcp:local-ada", final_script=draft.generated_script + " AND 1 = 1")
    assert llm_shop.review(draft.id, "approve", "mcp:local-bob").decision == "approved"


def test_queries_may_be_approved_by_their_requester(offline_shop, completed):
    draft = completed(requester="cli:ada")
    assert offline_shop.review(draft.id, "approve", "cli:ada").decision == "approved"


def test_reopen_is_an_audited_approver_action_that_withdraws_the_example(offline_shop, completed):
    offline_shop.set_connection_options("shop", approvers=["cli:bob"])
    draft = completed()
    offline_shop.review(draft.id, "approve", "cli:bob")
    assert len(offline_shop.list_examples("shop")) == 1
    with pytest.raises(Forbidden, match="only an approver"):
        offline_shop.reopen(draft.id, "cli:ada")
    offline_shop.reopen(draft.id, "cli:bob", note="wrong period")
    assert offline_shop.get_draft(draft.id).review["status"] == "pending"
    assert offline_shop.list_examples("shop") == []
    assert [r["decision"] for r in offline_shop.history_detail(draft.id)["reviews"]] == ["approved", "reopened"]
    with pytest.raises(Conflict, match="has no decision to reopen"):
        offline_shop.reopen(draft.id, "cli:bob")
    assert offline_shop.review(draft.id, "reject", "cli:bob", note="superseded").decision == "rejected"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_twenty_concurrent_decisions_have_exactly_one_winner(backend, tmp_path, secret_key, request):
    store = f"sqlite:///{tmp_path / 'race.db'}" if backend == "sqlite" else request.getfixturevalue("pg_store_url")
    from core.demo import create_sample_database

    db = create_sample_database(tmp_path / "shop.db")
    setup = build_copilot(make_settings(store, secret_key, tmp_path, generator="offline"))
    setup.add_connection("shop", f"sqlite:///{db}")
    setup.refresh_snapshot("shop")
    draft = setup.draft("shop", "How many orders per status?", requester="cli:ada")
    setup.close()
    copilots = [build_copilot(make_settings(store, secret_key, tmp_path, generator="offline")) for _ in range(4)]
    barrier = threading.Barrier(20)
    wins, losses, other = [], [], []

    def decide(i):
        copilot = copilots[i % 4]
        barrier.wait()
        try:
            decision = "approve" if i % 2 else "reject"
            wins.append(copilot.review(draft.id, decision, f"cli:reviewer{i}", note="race"))
        except Conflict as exc:
            losses.append(str(exc))
        except Exception as exc:  # anything else is a bug this test must show
            other.append(repr(exc))

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert other == []
    assert len(wins) == 1 and len(losses) == 19
    winner = wins[0]
    assert all(f"already {winner.decision} by {winner.reviewer} at" in m for m in losses)
    assert _reviews(copilots[0]) == 1
    for c in copilots:
        c.close()
