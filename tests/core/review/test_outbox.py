"""Review requests through the store: queued with the draft, claimed by one drainer, delivered once, retried."""

import threading
from datetime import timedelta

import pytest

from core.bootstrap import build_copilot
from core.errors import Conflict, InvalidInput
from core.services import outbox
from tests.conftest import make_settings


@pytest.fixture
def shop_on(store_url, tmp_path, secret_key):
    """make() -> a Copilot on the parametrised store (SQLite and PostgreSQL) with the shop connection."""
    from core.demo import create_sample_database

    db = create_sample_database(tmp_path / "shop.db")
    made = []

    def make():
        copilot = build_copilot(make_settings(store_url, secret_key, tmp_path, generator="offline"))
        if not made:
            copilot.add_connection("shop", f"sqlite:///{db}")
            copilot.refresh_snapshot("shop")
        made.append(copilot)
        return copilot

    yield make
    for c in made:
        c.close()


def _submit(copilot, n=1, requester="cli:ada"):
    return [copilot.submit_sql("shop", f"SELECT id FROM orders WHERE id = {i}", requester=requester) for i in range(n)]


def test_no_review_channel_means_no_request(shop_on):
    copilot = shop_on()
    (draft,) = _submit(copilot)
    assert copilot.review_requests(draft.id) == [] and copilot.claim_review_requests("w1") == []


def test_a_review_channel_gets_one_request_per_draft_submitted_or_drafted(shop_on):
    copilot = shop_on()
    copilot.set_connection_options("shop", review_channel=" C0REVIEW ")
    assert copilot.get_connection("shop").options.extra["review_channel"] == "C0REVIEW"
    (submitted,) = _submit(copilot)
    drafted = copilot.draft("shop", "How many orders per status?", requester="mcp:ci")
    unclear = copilot.draft("shop", "Why did revenue drop?", requester="cli:ada")
    from_slack = copilot.submit_sql("shop", "SELECT 1", requester="slack:U1")
    assert submitted.review_request["channel"] == "C0REVIEW" and submitted.review_request["status"] == "pending"
    assert copilot.get_draft(drafted.id).review_request["channel"] == "C0REVIEW"
    assert copilot.review_requests(unclear.id) == []  # nothing to review: it needs clarification
    assert copilot.review_requests(from_slack.id) == []  # reviewed where it was asked
    claimed = copilot.claim_review_requests("bot-1", limit=10)
    assert sorted(r.draft_id for r in claimed) == sorted([submitted.id, drafted.id])
    assert all(r.claimed_by == "bot-1" and r.attempts == 1 for r in claimed)
    assert copilot.claim_review_requests("bot-2") == []  # claimed already


def test_the_bound_slack_channel_is_the_default_review_channel(shop_on):
    copilot = shop_on()
    copilot.bind_connection("slack:C0BOUND", "shop", principal="slack:U1")
    (draft,) = _submit(copilot)
    assert draft.review_request["channel"] == "C0BOUND"
    copilot.set_connection_options("shop", review_channel="C0REVIEW")
    assert _submit(copilot)[0].review_request["channel"] == "C0REVIEW"


@pytest.mark.parametrize("channel", ["C1 C2", "#" * 65, "a,b"])
def test_a_review_channel_must_be_one_channel_id(shop_on, channel):
    with pytest.raises(InvalidInput, match="is not a channel id"):
        shop_on().set_connection_options("shop", review_channel=channel)


def test_a_delivery_is_recorded_once_and_the_message_becomes_the_drafts(shop_on):
    copilot = shop_on()
    copilot.set_connection_options("shop", review_channel="C0REVIEW")
    (draft,) = _submit(copilot)
    (request,) = copilot.claim_review_requests("bot-1")
    with pytest.raises(Conflict, match="claimed by bot-1, not bot-2"):
        copilot.review_request_delivered(request.id, "C0REVIEW", "1.2", worker="bot-2")
    done = copilot.review_request_delivered(request.id, "C0REVIEW", "1700000000.000100", worker="bot-1")
    assert done.status == "delivered" and done.delivered_at is not None
    with pytest.raises(Conflict, match="is delivered already"):
        copilot.review_request_delivered(request.id, "C0REVIEW", "1700000000.000100")
    with pytest.raises(Conflict, match="is delivered already"):
        copilot.review_request_failed(request.id, "late")
    after = copilot.get_draft(draft.id)
    assert (after.slack.channel, after.slack.ts) == ("C0REVIEW", "1700000000.000100")
    kinds = [e.kind for e in copilot.events(draft_id=draft.id, kind="review_request.")]
    assert kinds == ["review_request.queued", "review_request.delivered"]
    assert copilot.claim_review_requests("bot-1") == []


def test_a_failure_is_retried_with_backoff_and_its_reason_is_in_the_trail(shop_on):
    copilot = shop_on()
    copilot.set_connection_options("shop", review_channel="C0GONE")
    (draft,) = _submit(copilot)
    start = copilot.clock()
    with copilot.store.uow() as uow:
        (request,) = outbox.claim_outbox(uow, "bot-1", start, 5)
    reason = "the bot is not in channel C0GONE (not_in_channel): invite it"
    with copilot.store.uow() as uow:
        failed = outbox.fail_outbox(uow, request.id, start, reason)
    assert failed.status == "pending" and failed.claimed_by is None and failed.last_error == reason
    assert failed.next_attempt_at == start + timedelta(seconds=10)
    with copilot.store.uow() as uow:
        assert outbox.claim_outbox(uow, "bot-1", start + timedelta(seconds=9), 5) == []  # not due yet
    with copilot.store.uow() as uow:
        assert [r.attempts for r in outbox.claim_outbox(uow, "bot-2", start + timedelta(seconds=10), 5)] == [2]
    with copilot.store.uow() as uow:
        again = outbox.fail_outbox(uow, request.id, start + timedelta(seconds=10), reason)
    assert again.next_attempt_at == start + timedelta(seconds=30)  # 10 s, then 20 s
    detail = copilot.history_detail(draft.id)
    failures = [e for e in detail["events"] if e["kind"] == "review_request.failed"]
    assert [(e["principal"], e["detail"]["attempt"], e["detail"]["reason"]) for e in failures] == [
        ("bot-1", 1, reason),
        ("bot-2", 2, reason),
    ]
    from core.cli.render import render_history_detail

    text = render_history_detail(copilot.get_draft(draft.id), detail, copilot.clock())
    assert "review_request.failed" in text and "not_in_channel" in text and "retry at" in text


def test_an_entry_is_given_up_after_the_last_attempt(shop_on):
    copilot = shop_on()
    copilot.set_connection_options("shop", review_channel="C0GONE")
    (draft,) = _submit(copilot)
    now = copilot.clock()
    for _ in range(outbox.MAX_ATTEMPTS):
        with copilot.store.uow() as uow:
            (request,) = outbox.claim_outbox(uow, "bot", now, 1)
        with copilot.store.uow() as uow:
            last = outbox.fail_outbox(uow, request.id, now, "channel_not_found")
        now = last.next_attempt_at
    assert last.status == "dead" and last.attempts == outbox.MAX_ATTEMPTS
    with copilot.store.uow() as uow:
        assert outbox.claim_outbox(uow, "bot", now + timedelta(days=1), 5) == []
    assert copilot.events(draft_id=draft.id, kind="review_request.failed")[-1].detail["gave_up"] is True


def test_a_crashed_drainers_claim_expires_and_is_taken_again(shop_on):
    copilot = shop_on()
    copilot.set_connection_options("shop", review_channel="C0REVIEW")
    _submit(copilot)
    now = copilot.clock()
    with copilot.store.uow() as uow:
        (held,) = outbox.claim_outbox(uow, "crashed", now, 5, claim_seconds=30)
    with copilot.store.uow() as uow:
        assert outbox.claim_outbox(uow, "bot-2", now + timedelta(seconds=29), 5) == []
    with copilot.store.uow() as uow:
        (taken,) = outbox.claim_outbox(uow, "bot-2", now + timedelta(seconds=31), 5)
    assert taken.id == held.id and taken.claimed_by == "bot-2" and taken.attempts == 2


def test_bad_claims_are_refused(shop_on):
    copilot = shop_on()
    with pytest.raises(InvalidInput, match="worker name"):
        copilot.claim_review_requests("  ")
    with pytest.raises(InvalidInput, match="claim 1 to 100"):
        copilot.claim_review_requests("bot", limit=0)


def test_concurrent_drainers_never_claim_the_same_entry(shop_on):
    setup = shop_on()
    setup.set_connection_options("shop", review_channel="C0REVIEW")
    drafts = _submit(setup, 24)
    drainers = [shop_on() for _ in range(4)]  # each its own engine, as separate processes would have
    barrier = threading.Barrier(len(drainers))
    claims: dict[str, list[int]] = {}
    errors = []

    def drain(i):
        worker, mine = f"bot-{i}", []
        barrier.wait()
        try:
            while batch := drainers[i].claim_review_requests(worker, limit=3):
                for request in batch:
                    drainers[i].review_request_delivered(request.id, request.channel, f"1.{request.id}", worker=worker)
                    mine.append(request.id)
        except Exception as exc:  # anything else is a bug this test must show
            errors.append(repr(exc))
        claims[worker] = mine

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(len(drainers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    taken = [entry for mine in claims.values() for entry in mine]
    assert len(taken) == len(set(taken)) == len(drafts)  # every entry once, none twice
    delivered = setup.events(kind="review_request.delivered", limit=1000)
    assert len(delivered) == len(drafts)
