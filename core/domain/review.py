"""Who decides: principals, decisions, and the approval policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.domain.record import Record, Timestamp
from core.errors import Forbidden, InvalidInput

PRINCIPAL_RE = re.compile(r"^(slack|slack-group|mcp|cli|system):[^\s,]{1,150}$")
MAX_FINAL_SCRIPT = 100_000
MAX_NOTE = 2_000


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    EDITED = "edited"

    @classmethod
    def parse(cls, value: str | Decision) -> Decision:
        if isinstance(value, Decision):
            return value
        text = (value or "").strip().lower()
        aliases = {"approve": "approved", "reject": "rejected", "edit": "edited"}
        try:
            return cls(aliases.get(text, text))
        except ValueError:
            raise InvalidInput(f"unknown decision {value!r}: use approve, reject or edit") from None


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EDITED = "edited"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acts: ``slack:U123``, ``mcp:<token name>``, ``cli:<user>``, with the groups an adapter resolved."""

    id: str
    groups: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: str | Principal, groups: tuple[str, ...] = ()) -> Principal:
        if isinstance(value, Principal):
            return value
        text = (value or "").strip()
        if not PRINCIPAL_RE.match(text):
            raise InvalidInput(f"{value!r} is not a principal: use slack:U123, mcp:<token name> or cli:<user>")
        return cls(text, groups)


def parse_principals(values: list[str] | str | None) -> list[str]:
    """A list of principals and groups (``slack:U1``, ``slack-group:S2``, ``mcp:ci``), checked.

    Raises:
        InvalidInput: an entry that is not a principal.
    """
    items = values.split(",") if isinstance(values, str) else list(values or [])
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if not PRINCIPAL_RE.match(item):
            raise InvalidInput(
                f"approver {item!r} is not a principal: use slack:U123, slack-group:S456, "
                "mcp:<token name> or cli:<user>"
            )
        out.append(item)
    return out


_VERB = {"approved": "approve", "edited": "edit", "rejected": "reject"}


def person_of(principal: str) -> str:
    """The person behind a principal: a local assistant (``mcp:local-ada``) acts for ``cli:ada``."""
    if principal.startswith("mcp:local-"):
        return "cli:" + principal.removeprefix("mcp:local-")
    return principal


def same_person(a: str, b: str) -> bool:
    return person_of(a) == person_of(b)


@dataclass(slots=True)
class ReviewPolicy:
    """Who may decide on a connection's drafts.

    ``approvers`` empty means any known principal. For dml and ddl drafts, the requester may not
    approve or edit their own draft unless ``allow_self_approval``; an assistant (``mcp:``) may not
    approve or edit its own draft of any mode unless it is allowed; anyone may withdraw (reject) their
    own draft. A local assistant (``mcp:local-ada``) counts as its user (``cli:ada``) throughout.
    """

    approvers: list[str] = field(default_factory=list)
    allow_self_approval: bool = False

    def is_approver(self, principal: Principal) -> bool:
        if not self.approvers:
            return True
        return principal.id in self.approvers or bool(set(principal.groups) & set(self.approvers))

    def check(self, principal: Principal, decision: Decision, *, requester: str, mode: str) -> None:
        """Raises Forbidden with the reason when ``principal`` may not take ``decision``."""
        own = same_person(principal.id, requester)  # ada's local assistant is ada for four-eyes
        if decision is Decision.REJECTED and own:
            return
        if not self.is_approver(principal):
            raise Forbidden(
                f"{principal.id} may not review drafts on this connection: ask one of {', '.join(self.approvers)}"
            )
        if own and principal.id.startswith("mcp:") and not self.allow_self_approval:
            raise Forbidden(
                f"{principal.id} requested this draft and may not {_VERB[decision.value]} it too: "
                "an assistant's draft is reviewed by a person (or another token)"
            )
        if own and mode in ("dml", "ddl") and not self.allow_self_approval:
            raise Forbidden(
                f"{principal.id} requested this {mode} draft and may not {_VERB[decision.value]} "
                "it too: another reviewer must (four-eyes rule)"
            )

    def to_dict(self) -> dict[str, Any]:
        return {"approvers": self.approvers, "allow_self_approval": self.allow_self_approval}


class ReviewRecord(Record):
    id: int
    draft_id: str
    decision: str
    reviewer: str
    note: str | None
    final_script: str | None
    diff: str | None
    validation: dict[str, Any] | None
    created_at: Timestamp
