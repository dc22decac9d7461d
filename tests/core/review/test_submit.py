"""Submitting SQL written elsewhere: a draft that is validated and waits for review, and says it was submitted."""

import pytest

from core.errors import Hint, InvalidInput, NoSnapshot, NotFound, TooLarge


def test_submitted_sql_is_a_validated_draft_pending_review(offline_shop):
    sql = "SELECT id, status FROM orders WHERE status = 'paid'"
    draft = offline_shop.submit_sql("shop", f"  {sql}\n", purpose="paid orders for finance", requester="mcp:ci")
    assert (draft.status.value, draft.generator, draft.requester) == ("completed", "submitted", "mcp:ci")
    assert draft.submitted and draft.request == "paid orders for finance" and draft.attempt_count == 0
    assert draft.generated_script == sql and draft.effective_script_text == sql
    assert (draft.lint_status, draft.validation["statement_types"]) == ("pass", ["select"])
    assert draft.snapshot.checksum == offline_shop.current_snapshot("shop").checksum
    assert draft.review["status"] == "pending" and draft.review_request is None
    events = [(e.kind, e.principal, e.detail.get("generator")) for e in offline_shop.events(draft_id=draft.id)]
    assert events == [("draft.created", "mcp:ci", "submitted"), ("draft.submitted", "mcp:ci", None)]


def test_a_submission_without_purpose_says_what_it_is(offline_shop):
    draft = offline_shop.submit_sql("shop", "UPDATE orders SET status = 'x' WHERE id = 1", mode="dml",
                                    requester="cli:ada")  # fmt: skip
    assert draft.request == "SQL submitted for review (dml)" and draft.mode == "dml"


def test_failing_sql_is_recorded_with_its_findings(offline_shop):
    draft = offline_shop.submit_sql("shop", "SELECT SUM(p.amont) FROM payments p", requester="cli:ada")
    assert draft.lint_status == "fail"
    assert [f["rule"] for f in draft.validation["findings"]] == ["schema.unknown_column"]


@pytest.mark.parametrize("sql", ["", "   ", "\n\t"])
def test_blank_sql_is_refused(offline_shop, sql):
    with pytest.raises(InvalidInput, match="the SQL to submit is blank"):
        offline_shop.submit_sql("shop", sql, requester="cli:ada")
    assert offline_shop.history().total == 0


def test_sql_over_the_size_limit_is_refused(shop_copilot_factory):
    copilot = shop_copilot_factory(generator="offline", max_sql_chars=1000)
    with pytest.raises(TooLarge, match="SQLDRAFT_MAX_SQL_CHARS"):
        copilot.submit_sql("shop", "SELECT 1 " + "-- x\n" * 300, requester="cli:ada")
    assert copilot.history().total == 0


def test_a_connection_without_snapshot_is_refused_with_the_way_to_refresh(offline_shop, tmp_path):
    from core.demo import create_sample_database

    db = create_sample_database(tmp_path / "fresh.db")
    offline_shop.add_connection("fresh", f"sqlite:///{db}")
    with pytest.raises(NoSnapshot, match="has no snapshot yet") as refused:
        offline_shop.submit_sql("fresh", "SELECT 1", requester="cli:ada")
    assert [(h.hint, h.arg) for h in refused.value.hints] == [(Hint.REFRESH_SNAPSHOT, "fresh")]
    with pytest.raises(NotFound):
        offline_shop.submit_sql("nope", "SELECT 1", requester="cli:ada")


def test_bad_modes_and_purposes_are_refused(offline_shop):
    with pytest.raises(InvalidInput, match="mode"):
        offline_shop.submit_sql("shop", "SELECT 1", mode="write", requester="cli:ada")
    with pytest.raises(InvalidInput, match="the limit is 4,000"):
        offline_shop.submit_sql("shop", "SELECT 1", purpose="x" * 4001, requester="cli:ada")
