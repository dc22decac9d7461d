"""Draft lifecycle: queued -> running -> finished; cancel, retry, crash recovery, bad input."""

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.errors import Conflict, Hint, HintRef, InvalidInput, NotFound
from core.store.models import DraftRow, utcnow

GOOD = json.dumps({"sql": "SELECT id FROM orders WHERE id = 1", "explanation": "x", "confidence": 0.8})


@pytest.fixture
def llm(shop_copilot_factory, fake_llm):
    return shop_copilot_factory(
        generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key="test-key", llm_timeout=10.0
    )


def _count(copilot):
    with copilot.store.session() as s:
        return s.scalar(select(func.count()).select_from(DraftRow))


def test_a_queued_draft_canceled_before_it_runs_stays_canceled(llm, fake_llm):
    draft_id = llm.create_draft("shop", "order one", requester="cli:ada")
    assert llm.get_draft(draft_id).status.value == "queued"
    assert llm.cancel_draft(draft_id).status.value == "canceled"
    assert llm.run_draft(draft_id).status.value == "canceled"
    assert fake_llm.requests == []


def test_a_running_draft_can_be_canceled_and_its_result_is_discarded(llm, fake_llm):
    fake_llm.reply(GOOD, delay=1.5)
    done = []
    draft_id = llm.create_draft("shop", "order one", requester="slack:U1")
    llm.start_draft(draft_id, on_done=done.append)
    deadline = time.time() + 10
    while llm.get_draft(draft_id).status.value != "running" and time.time() < deadline:
        time.sleep(0.05)
    assert llm.cancel_draft(draft_id).status.value == "canceled"
    while not done and time.time() < deadline:
        time.sleep(0.05)
    final = llm.get_draft(draft_id)
    assert final.status.value == "canceled" and final.generated_script is None
    assert done and done[0].status.value == "canceled"


def test_finished_drafts_cannot_be_canceled_and_completed_ones_cannot_be_retried(llm, fake_llm):
    fake_llm.reply(GOOD)
    draft = llm.draft("shop", "order one", requester="cli:ada")
    with pytest.raises(Conflict, match="is completed: only a queued or running draft can be canceled"):
        llm.cancel_draft(draft.id)
    with pytest.raises(Conflict, match="only a failed draft can be retried"):
        llm.retry_draft(draft.id)


def test_a_failed_draft_can_be_retried_and_keeps_its_attempts(llm, fake_llm):
    fake_llm.error(401, "bad key")
    failed = llm.draft("shop", "order one", requester="cli:ada")
    assert failed.status.value == "failed"
    fake_llm.reply(GOOD)
    retried = llm.retry_draft(failed.id)
    assert retried.status.value == "completed" and retried.error_message is None
    assert [a.number for a in retried.attempts] == [1, 2] and retried.attempts[0].error


def test_started_drafts_run_on_the_pool_and_notify(llm, fake_llm):
    for _ in range(4):
        fake_llm.reply(GOOD, delay=0.3)
    done = []
    draft_ids = [llm.create_draft("shop", f"order {i}", requester="slack:U1") for i in range(4)]
    assert all(llm.get_draft(i).status.value == "queued" for i in draft_ids)
    for draft_id in draft_ids:
        llm.start_draft(draft_id, on_done=done.append)
    deadline = time.time() + 20
    while len(done) < 4 and time.time() < deadline:
        time.sleep(0.05)
    assert sorted(d.status.value for d in done) == ["completed"] * 4


def test_a_draft_left_running_by_a_dead_process_is_failed_at_start(llm, fake_llm):
    fake_llm.reply(GOOD)
    draft = llm.draft("shop", "order one", requester="cli:ada")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    with llm.store.uow() as uow:
        uow.session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft.id)
            .values(status="running", worker=f"{socket.gethostname()}:{dead_pid}:abcd", heartbeat_at=utcnow())
        )
        uow.commit()
    assert llm.recover_interrupted_drafts() == [draft.id]
    recovered = llm.get_draft(draft.id)
    assert recovered.status.value == "failed" and "interrupted" in recovered.error_message
    fake_llm.reply(GOOD)
    assert llm.retry_draft(draft.id).status.value == "completed"


def test_a_running_draft_of_a_live_process_is_left_alone_until_stale(llm, fake_llm):
    fake_llm.reply(GOOD)
    draft = llm.draft("shop", "order one", requester="cli:ada")
    with llm.store.uow() as uow:
        uow.session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft.id)
            .values(status="running", worker=f"{socket.gethostname()}:{os.getpid()}:live", heartbeat_at=utcnow())
        )
        uow.commit()
    assert llm.recover_interrupted_drafts() == []
    with llm.store.uow() as uow:
        uow.session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft.id)
            .values(worker="other-host:1:x", heartbeat_at=utcnow() - timedelta(hours=2))
        )
        uow.commit()
    assert llm.recover_interrupted_drafts() == [draft.id]


@pytest.mark.parametrize(
    ("connection", "request_text", "mode", "error", "message"),
    [
        ("shop", "   ", "query", InvalidInput, "the request is blank"),
        ("shop", "x" * 4001, "query", InvalidInput, "4,001 characters long; the limit is 4,000"),
        ("nope", "orders", "query", NotFound, "unknown connection 'nope'; known connections: shop"),
        ("shop", "orders", "upsert", InvalidInput, "unknown mode 'upsert'"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_stored(llm, connection, request_text, mode, error, message):
    with pytest.raises(error, match=message):
        llm.draft(connection, request_text, mode=mode, requester="cli:ada")
    assert _count(llm) == 0


def test_drafting_needs_a_snapshot_and_says_how_to_take_one(llm, tmp_path):
    llm.add_connection("fresh", f"sqlite:///{tmp_path / 'nothing.db'}")
    with pytest.raises(NotFound, match="connection 'fresh' has no snapshot yet") as refused:
        llm.draft("fresh", "orders", requester="cli:ada")
    assert refused.value.hints == (HintRef(Hint.REFRESH_SNAPSHOT, "fresh"),)


def test_drafting_works_while_the_database_is_down(shop_copilot_factory, tmp_path):
    copilot = shop_copilot_factory(generator="offline")
    db = tmp_path / "shop0.db"
    db.rename(tmp_path / "gone.db")
    assert copilot.refresh_snapshot("shop").status == "error"
    draft = copilot.draft("shop", "How many orders per status?", requester="cli:ada")
    assert draft.status.value == "completed" and draft.snapshot_taken_at is not None


def test_unknown_draft_ids_are_clear(llm):
    with pytest.raises(NotFound, match="no draft with id 'dzzzzzzzzz'"):
        llm.get_draft("dzzzzzzzzz")
    with pytest.raises(InvalidInput, match="is not a draft id"):
        llm.get_draft("42; DROP TABLE drafts")
