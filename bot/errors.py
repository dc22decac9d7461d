"""How a core error reads in Slack: its message, then its hints as /sqldraft commands or an operator's job."""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import Hint, SqldraftError

HINTS: Mapping[Hint, str] = {
    Hint.REFRESH_SNAPSHOT: "take one with `/sqldraft refresh {arg}`",
    Hint.ADD_CONNECTION: "an operator adds them with `sqldraft connections add`",
    Hint.LIST_DRAFTS: "`/sqldraft history` lists recent drafts",
    Hint.LIST_EXAMPLES: "an operator lists them with `sqldraft examples list`",
    Hint.USE_FORCE: "an operator can remove it anyway (the drafts are kept)",
    Hint.GIVE_DIALECT: "say `/sqldraft validate on CONNECTION SQL`",
    Hint.OMIT_DIALECT: "validate on the connection alone",
    Hint.GENERATE_KEY: "an operator sets one with `sqldraft keys generate`",
    Hint.UPGRADE_STORE: "an operator upgrades it with `sqldraft init`",
    Hint.FORCE_INTO_EXISTING: "an operator decides with `sqldraft init --force-into-existing`",
    Hint.WAIT: "try again in {arg}",
    Hint.ROTATE_KEYS: "an operator rotates keys with `sqldraft keys rotate`",
    Hint.ALLOW_INVALID: "tick 'Save even if it does not validate' to keep it",
    Hint.REPAIR_DRAFT: "press Fix with the error for a corrected draft",
}
"""Each hint a core error carries, as a Slack user can act on it (or whom to ask)."""


def explain(exc: SqldraftError) -> str:
    """A core error as an ephemeral message, a modal error or a health check says it."""
    return exc.render(HINTS)
