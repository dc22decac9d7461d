"""/sqldraft: parse the text, answer the subcommand with one core operation, render it as Slack text.

Everything that answers fast answers in the ack (ephemeral); drafting acks first, then posts a
"drafting..." message and leaves the model call to the core's drafting pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond

from bot import grammar, replies
from bot.blocks import drafting_message
from bot.deps import Deps
from bot.ids import principal
from core.errors import SqldraftError


@dataclass(frozen=True, slots=True)
class Invocation:
    """One /sqldraft call: who asked, in which channel, and how to answer."""

    deps: Deps
    channel: str
    user: str
    ack: Ack
    respond: Respond

    @property
    def scope(self) -> str:
        """The channel as the core's binding scope (its default connection)."""
        return f"slack:{self.channel}"

    @property
    def principal(self) -> str:
        return principal(self.user)

    def connection(self, explicit: str | None) -> str:
        """The connection named in the command, else the channel's default.

        Raises:
            SqldraftError: neither (the answer says how to set one).
        """
        if explicit:
            return explicit
        bound = self.deps.copilot.bound_connection(self.scope)
        if bound is None:
            raise SqldraftError(replies.no_default_connection(self.deps.copilot.list_connections()))
        return bound


def sqldraft(ack: Ack, body: dict[str, Any], respond: Respond, *, deps: Deps) -> None:
    command = grammar.parse(body.get("text", ""))
    call = Invocation(deps, body["channel_id"], body["user_id"], ack, respond)
    try:
        text = ANSWERS[type(command)](command, call)
    except SqldraftError as exc:
        text = replies.warning(exc)
    if text is not None:
        ack(text=replies.with_mentions(text))


def _help(command: grammar.Help, call: Invocation) -> str:
    return grammar.HELP


def _usage(command: grammar.Usage, call: Invocation) -> str:
    return replies.usage(command.message)


def _status(command: grammar.Status, call: Invocation) -> str:
    return replies.llm_status(call.deps.copilot.llm_status())


def _connections(command: grammar.ListConnections, call: Invocation) -> str:
    bound = call.deps.copilot.bound_connection(call.scope)
    return replies.connections(call.deps.copilot.list_connections(), bound)


def _use(command: grammar.Use, call: Invocation) -> str:
    return replies.bound(call.deps.copilot.bind_connection(call.scope, command.connection, principal=call.principal))


def _history(command: grammar.History, call: Invocation) -> str:
    return replies.history(call.deps.copilot.history(command.query(requester=call.principal)))


def _validate(command: grammar.Validate, call: Invocation) -> str:
    connection, copilot = call.connection(command.connection), call.deps.copilot
    checked = copilot.validate(command.sql, connection=connection, mode=command.mode, principal=call.principal)
    return replies.validation(checked)


def _show(command: grammar.Show, call: Invocation) -> str:
    call.deps.presenter.show(command.draft_id, call.channel)
    return f"Posted draft `{command.draft_id}` again."


def _refresh(command: grammar.Refresh, call: Invocation) -> None:
    call.deps.copilot.get_connection(command.connection)  # an unknown name is answered in the ack
    call.ack(text=f"Refreshing `{command.connection}`...")
    try:
        text = replies.refreshed(
            command.connection, call.deps.copilot.refresh_snapshot(command.connection, trigger="slack")
        )
    except SqldraftError as exc:
        text = replies.warning(exc)
    call.respond(text=text, response_type="ephemeral")


def _draft(command: grammar.DraftRequest, call: Invocation) -> None:
    connection = call.connection(command.connection)
    copilot, presenter = call.deps.copilot, call.deps.presenter
    draft_id = copilot.create_draft(connection, command.request, mode=command.mode, requester=call.principal)
    call.ack()
    message = drafting_message(command.request, call.principal, connection, command.mode, draft_id)
    if presenter.placeholder(draft_id, call.channel, message) is None:
        call.respond(text=replies.unposted(draft_id), response_type="ephemeral")
    copilot.start_draft(draft_id, on_done=presenter.update)


ANSWERS: dict[type[Any], Callable[[Any, Invocation], str | None]] = {
    grammar.Help: _help,
    grammar.Usage: _usage,
    grammar.Status: _status,
    grammar.ListConnections: _connections,
    grammar.Use: _use,
    grammar.History: _history,
    grammar.Validate: _validate,
    grammar.Show: _show,
    grammar.Refresh: _refresh,
    grammar.DraftRequest: _draft,
}
"""Each parsed command's answer: text to ack with, or None when the answer acked (and responds) itself."""
