"""/sqldraft: parse, then one core operation per command, rendered as Slack text or a message.

Everything that answers fast answers in the ack (ephemeral); drafting acks first, then posts a
"drafting..." message and leaves the model call to the core's drafting pool.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot import grammar
from bot.blocks import drafting_message
from bot.errors import explain
from bot.ids import principal
from bot.listeners import Deps
from bot.presenter import with_mentions
from core.errors import SqldraftError
from core.services.history import HistoryFilters, HistoryQuery
from core.textfmt import render_validation


class SqldraftCommand:
    def __init__(self, deps: Deps) -> None:
        self.copilot = deps.copilot
        self.presenter = deps.presenter

    def handle(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        command = grammar.parse(body.get("text", ""))
        channel, user = body["channel_id"], body["user_id"]
        try:
            if isinstance(command, grammar.DraftRequest):
                self._draft(ack, command, channel, user, respond)
                return
            if isinstance(command, grammar.Refresh):
                self._refresh(ack, command, respond)
                return
            ack(text=with_mentions(self._answer(command, channel, user)))
        except SqldraftError as exc:
            ack(text=with_mentions(f":warning: {explain(exc)}"))

    def _connection(self, explicit: str | None, channel: str) -> str:
        if explicit:
            return explicit
        bound = self.copilot.bound_connection(f"slack:{channel}")
        if bound is None:
            names = ", ".join(p.name for p in self.copilot.list_connections()) or "none yet"
            raise SqldraftError(
                f"this channel has no default connection: set one with `/sqldraft use NAME`, or say "
                f"`/sqldraft on NAME ...` (connections: {names})"
            )
        return bound

    def _answer(self, command: grammar.Command, channel: str, user: str) -> str:
        if isinstance(command, grammar.Help):
            return grammar.HELP
        if isinstance(command, grammar.Usage):
            return f":warning: {command.message}\nSee `/sqldraft help` for everything it does."
        if isinstance(command, grammar.ListConnections):
            bound = self.copilot.bound_connection(f"slack:{channel}")
            lines = []
            for p in self.copilot.list_connections():
                state = f"{p.table_count} tables" if p.table_count is not None else "no snapshot yet"
                if p.last_refresh and p.last_refresh.status == "error":
                    state += f" (last refresh failed: {p.last_refresh.error})"
                lines.append(
                    f"• `{p.name}` ({p.dialect.value}): {state}"
                    + (" *(this channel's default)*" if p.name == bound else "")
                )
            return "\n".join(lines) or "No connections yet: an operator adds them with `sqldraft connections add`."
        if isinstance(command, grammar.Use):
            profile = self.copilot.bind_connection(f"slack:{channel}", command.connection, principal=principal(user))
            return f"This channel now drafts on `{profile.name}` ({profile.dialect.value})."
        if isinstance(command, grammar.History):
            return self._history(command, user)
        if isinstance(command, grammar.Validate):
            connection = self._connection(command.connection, channel)
            result = self.copilot.validate(command.sql, connection=connection, mode=command.mode)
            return f"```{render_validation(result)}```"
        if isinstance(command, grammar.Show):
            self.presenter.show(command.draft_id, channel)
            return f"Posted draft `{command.draft_id}` again."
        raise AssertionError(command)

    def _refresh(self, ack: Ack, command: grammar.Refresh, respond: Respond) -> None:
        self.copilot.get_connection(command.connection)  # an unknown name is answered in the ack
        ack(text=f"Refreshing `{command.connection}`...")
        try:
            result = self.copilot.refresh_snapshot(command.connection, trigger="slack")
        except SqldraftError as exc:
            respond(text=f":warning: {explain(exc)}", response_type="ephemeral")
            return
        if result.error:
            text = f":warning: Refresh of `{command.connection}` failed: {result.error}"
        else:
            tables = result.snapshot.table_count if result.snapshot else 0
            text = f"`{command.connection}`: {result.status} ({tables} tables and views, {result.duration_ms} ms)"
        respond(text=text, response_type="ephemeral")

    def _history(self, command: grammar.History, user: str) -> str:
        filters = HistoryFilters(**command.filters)
        if command.mine:
            filters.requester = principal(user)
        page = self.copilot.history(HistoryQuery(filters=filters, page=command.page, page_size=10))
        if not page.items:
            return "No drafts match."
        lines = [
            f"• `{r.id}` {r.created_at:%Y-%m-%d %H:%M} {r.latest_status}/{r.review_status} risk {r.risk_level or '-'}"
            f" on `{r.connection}`: {r.request[:80]}"
            for r in page.items
        ]
        return "\n".join(lines) + f"\nPage {page.page} of {page.pages} ({page.total} drafts)."

    def _draft(self, ack: Ack, command: grammar.DraftRequest, channel: str, user: str, respond: Respond) -> None:
        connection = self._connection(command.connection, channel)
        draft_id = self.copilot.create_draft(connection, command.request, mode=command.mode, requester=principal(user))
        ack()
        ts = self.presenter.post(
            channel, drafting_message(command.request, principal(user), connection, command.mode, draft_id)
        )
        if ts is None:
            respond(
                text=f":warning: Could not post to this channel; the draft `{draft_id}` is saved: "
                f"`/sqldraft show {draft_id}` once the app is in the channel.",
                response_type="ephemeral",
            )
        else:
            self.copilot.set_draft_message(draft_id, channel, ts)
        self.copilot.start_draft(draft_id, on_done=self.presenter.update)
