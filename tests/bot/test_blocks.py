"""Message builders within Slack's limits, and notification texts that say the message's state."""

import pytest

from bot.blocks import SECTION_LIMIT, draft_message, shorten
from bot.gallery import NOW, _draft, samples
from core.domain.drafts import DraftStatus


def failed(error):
    return draft_message(_draft(status=DraftStatus.FAILED, error_message=error, generated_script=None), NOW)


def reason_section(message):
    return next(b["text"]["text"] for b in message["blocks"] if "Drafting failed" in b.get("text", {}).get("text", ""))


def test_a_10k_character_error_is_cut_on_a_word_to_fit_a_section_with_an_ellipsis():
    words = " ".join(f"word{i:05d}" for i in range(1000))  # 9,999 characters
    text = reason_section(failed(words))
    assert len(text) <= SECTION_LIMIT
    kept = text.removeprefix(":warning: Drafting failed: ").split("\u2026", 1)[0]
    assert words.startswith(kept) and kept.split()[-1] in words.split()  # the last word kept is whole
    assert text.endswith("(the whole reason: `sqldraft drafts show dq7k3m4x2p`)")


def test_an_error_of_escaped_characters_is_never_cut_inside_an_entity():
    text = reason_section(failed("a < b & c > d " * 700))
    assert len(text) <= SECTION_LIMIT and "\u2026" in text
    body = text.split("\u2026", 1)[0]
    assert body.endswith(("&lt;", "&amp;", "&gt;", "b", "c", "d", "a"))


def test_a_short_error_is_shown_whole():
    error = "the endpoint at models.internal:8000 failed (500): boom; check the model server's log"
    assert reason_section(failed(error)) == f":warning: Drafting failed: {error}"


def test_shorten_without_spaces_still_fits():
    assert len(shorten("x" * 5000, 100, " (more)")) == 100


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("completed", "awaiting review"),
        ("completed-high-risk", "awaiting review"),
        ("approved", "approved"),
        ("edited", "edited"),
        ("rejected", "rejected"),
        ("failed", "failed"),
        ("clarification", "clarification needed"),
    ],
)
def test_each_gallery_message_names_its_state_in_the_notification_text(name, state):
    message = samples()[name]
    assert message["text"].startswith(f"SQL draft dq7k3m4x2p ({state}): ")
    header = message["blocks"][0]["text"]["text"]
    assert header == "SQL draft" if state == "awaiting review" else header.startswith("SQL draft")
    if state in ("approved", "edited", "rejected", "failed"):
        assert header.endswith(state)
