"""How a core error reads to the model: its message, then its hints as tools and their arguments."""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import Hint, SqldraftError

HINTS: Mapping[Hint, str] = {
    Hint.REFRESH_SNAPSHOT: "call refresh_snapshot with connection {arg!r}",
    Hint.ADD_CONNECTION: "no tool adds one: the server's operator adds connections (`sqldraft connections add`)",
    Hint.LIST_DRAFTS: "list_history shows recent drafts",
    Hint.LIST_EXAMPLES: "no tool lists them: the server's operator can (`sqldraft examples list`)",
    Hint.USE_FORCE: "no tool removes connections: the server's operator can remove it anyway (the drafts are kept)",
    Hint.GIVE_DIALECT: "pass connection, or dialect to check syntax and risk without one",
    Hint.OMIT_DIALECT: "leave dialect out, or drop connection to check in another dialect",
    Hint.GENERATE_KEY: "the server's operator generates one with `sqldraft keys generate`",
    Hint.UPGRADE_STORE: "the server's operator upgrades it with `sqldraft init`",
}
"""Each hint a core error carries, as a tool call where one exists, else what the operator does."""


def explain(exc: SqldraftError) -> str:
    """A core error as a tool error, resource error or startup message says it."""
    return exc.render(HINTS)
