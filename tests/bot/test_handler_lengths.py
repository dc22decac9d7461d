"""Every Slack listener stays short (parse, one core call, render), as tools/handler_lengths.py measures it."""

import functools
import importlib.util
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 15


@functools.cache
def lengths():
    """tools/handler_lengths.py (tools/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("handler_lengths", ROOT / "tools" / "handler_lengths.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_slack_listener_is_at_most_fifteen_lines():
    measured = [h for h in lengths().measure(lengths().read_sources(ROOT, None)) if h.kind == "slack listener"]
    registered = {h.where.rsplit(":", 1)[1] for h in measured if h.registered}
    assert {"sqldraft", "approve", "reject", "edit", "retry", "edit_submitted", "reject_submitted"} <= registered
    assert [(h.where, h.body) for h in measured if h.body > LIMIT] == []


def test_the_measure_finds_registered_listeners_and_counts_only_their_statements():
    source = textwrap.dedent(
        '''
        from functools import partial

        def register(app, deps):
            app.action("x")(partial(clicked, deps=deps))
            app.error(partial(failed, deps=deps))
            handlers = Views(deps)
            app.view("v")(handlers.submitted)

        def clicked(ack, body, *, deps):
            """Docstrings are not counted."""
            ack()
            # nor comments

            deps.copilot.review(body["id"])

        def failed(error, body, *, deps):
            return None

        class Views:
            def submitted(self, ack):
                ack()
                ack()
                ack()
        '''
    )
    found = {h.where: h for h in lengths().measure({"bot/listeners/sample.py": source})}
    assert found["bot.listeners.sample:clicked"].body == 2 and found["bot.listeners.sample:clicked"].registered
    assert found["bot.listeners.sample:failed"].registered
    assert found["bot.listeners.sample:Views.submitted"].body == 3
    assert found["bot.listeners.sample:Views.submitted"].registered
    assert not found["bot.listeners.sample:register"].registered
