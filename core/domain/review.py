"""Who decides: principals, decisions, and the approval policy."""

from __future__ import annotations

import re
from collections.abc import Mapping
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


READ_STATEMENT_TYPES = frozenset({"select", "show", "describe", "explain"})
"""Statement types that only read; any other type (including ``unknown``) counts as a write."""

_RISK_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def risk_rank(level: str | None) -> int:
    """0 (none) to 4 (critical); an unknown level ranks as critical."""
    return _RISK_RANK.get(level or "none", _RISK_RANK["critical"])


@dataclass(frozen=True, slots=True)
class ScriptFacts:
    """What the script being decided on does, read from its validation (not from the requested mode).

    >>> facts = ScriptFacts.of({"status": "fail", "risk_level": "critical", "statement_types": ["delete"],
    ...                         "impacted_objects": [{"type": "table", "name": "rental", "access": "write"}],
    ...                         "findings": [{"rule": "risk.write_in_query", "severity": "error"}]})
    >>> (facts.writes, facts.changes_schema, facts.needs_override)
    (True, False, True)
    """

    status: str
    risk_level: str
    statement_types: tuple[str, ...]
    writes: bool
    """It changes data or schema (or may: a statement that cannot be analysed counts as a write)."""
    changes_schema: bool
    errors: int

    @classmethod
    def of(cls, validation: Mapping[str, Any] | None) -> ScriptFacts:
        """The facts of a validation's dict form; no validation at all is judged as failing and writing."""
        if not validation:
            return cls(status="fail", risk_level="critical", statement_types=(), writes=True, changes_schema=False,
                       errors=1)  # fmt: skip
        types = tuple(str(t).lower() for t in validation.get("statement_types") or [])
        access = {str(o.get("access")) for o in validation.get("impacted_objects") or []}
        findings = list(validation.get("findings") or [])
        flagged = any(f.get("rule") == "risk.write_in_query" for f in findings)
        return cls(
            status=str(validation.get("status") or "fail"),
            risk_level=str(validation.get("risk_level") or "none"),
            statement_types=types,
            writes=flagged or bool(access & {"write", "ddl"}) or any(t not in READ_STATEMENT_TYPES for t in types),
            changes_schema="ddl" in access,
            errors=sum(1 for f in findings if f.get("severity") == "error"),
        )

    @property
    def override_reasons(self) -> list[str]:
        """Why approving it needs an explicit override: it failed validation, or its risk is critical."""
        reasons = []
        if self.status == "fail":
            reasons.append(f"failed validation ({self.errors} error finding(s))")
        if risk_rank(self.risk_level) >= risk_rank("critical"):
            reasons.append(f"has {self.risk_level} risk")
        return reasons

    @property
    def needs_override(self) -> bool:
        return bool(self.override_reasons)

    @property
    def what_it_does(self) -> str:
        return "changes schema" if self.changes_schema else "writes"


class OverrideRequired(Forbidden):
    """Approving this script needs an explicit override with a note; each adapter says how to give one."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons


@dataclass(slots=True)
class ReviewPolicy:
    """Who may decide on a connection's drafts, judged on what the script being decided on does.

    ``approvers`` empty means any known principal. A script that writes or changes schema may not be
    approved or edited by its requester (four-eyes), whatever mode was requested, unless
    ``allow_self_approval``; an assistant (``mcp:``) may not approve or edit its own draft of any kind
    unless it is allowed; anyone may withdraw (reject) their own draft. A local assistant
    (``mcp:local-ada``) counts as its user (``cli:ada``) throughout. A query-mode draft whose script
    writes is never approved as a query. A script that failed validation or has critical risk is
    approved only with ``override`` and a note, and only where ``allow_override``.
    """

    approvers: list[str] = field(default_factory=list)
    allow_self_approval: bool = False
    allow_override: bool = True
    run_unapproved_reads: bool = False
    """A validated read may be run before it is approved (``sqldraft run``); off by default."""

    def is_approver(self, principal: Principal) -> bool:
        if not self.approvers:
            return True
        return principal.id in self.approvers or bool(set(principal.groups) & set(self.approvers))

    def check_reviewer(self, principal: Principal, decision: Decision, *, requester: str) -> None:
        """The part of :meth:`check` that needs no script: may ``principal`` review here at all.

        Raises:
            Forbidden: not an approver (withdrawing one's own draft is always allowed).
        """
        if decision is Decision.REJECTED and same_person(principal.id, requester):
            return
        if not self.is_approver(principal):
            raise Forbidden(
                f"{principal.id} may not review drafts on this connection: ask one of {', '.join(self.approvers)}"
            )

    def check(
        self,
        principal: Principal,
        decision: Decision,
        *,
        requester: str,
        mode: str,
        script: ScriptFacts,
        override: bool = False,
        note: str | None = None,
    ) -> bool:
        """Whether the decision is taken under an override (True) or plainly (False).

        Raises:
            Forbidden: ``principal`` may not take ``decision`` on this script (OverrideRequired when
                an override with a note would allow it).
            InvalidInput: an override without a note (or with a blank one).
        """
        self.check_reviewer(principal, decision, requester=requester)
        own = same_person(principal.id, requester)  # ada's local assistant is ada for four-eyes
        if decision is Decision.REJECTED:
            return False
        verb = _VERB[decision.value]
        if mode == "query" and script.writes:
            raise Forbidden(
                f"this query draft's script {script.what_it_does} ({', '.join(script.statement_types) or 'unknown'}), "
                "so it cannot be approved as a query: re-file it as a dml or ddl draft, or edit it into a read"
            )
        if own and principal.id.startswith("mcp:") and not self.allow_self_approval:
            raise Forbidden(
                f"{principal.id} requested this draft and may not {verb} it too: "
                "an assistant's draft is reviewed by a person (or another token)"
            )
        if own and script.writes and not self.allow_self_approval:
            raise Forbidden(
                f"{principal.id} requested this draft, whose script {script.what_it_does}, and may not {verb} "
                "it too: another reviewer must (four-eyes rule)"
            )
        if not script.needs_override:
            return False
        reasons = " and ".join(script.override_reasons)
        if not self.allow_override:
            raise Forbidden(f"the script {reasons}, and this connection allows no override: edit it or reject it")
        if not override:
            raise OverrideRequired(
                f"the script {reasons}: it can be approved only with an explicit override and a note saying why",
                script.override_reasons,
            )
        if not (note or "").strip():
            raise InvalidInput("an override needs a note saying why the script is approved anyway: it is blank")
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "approvers": self.approvers,
            "allow_self_approval": self.allow_self_approval,
            "allow_override": self.allow_override,
            "run_unapproved_reads": self.run_unapproved_reads,
        }


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
    override: bool = False
    """The approval needed an explicit override (the note says why)."""


class ReviewRequest(Record):
    """A request to review a draft, waiting in the outbox for an adapter (the Slack app) to post it."""

    id: int
    draft_id: str
    connection: str
    channel: str
    status: str
    """pending, delivered or dead."""
    attempts: int
    next_attempt_at: Timestamp
    claimed_by: str | None = None
    delivered_at: Timestamp | None = None
    last_error: str | None = None
    result: dict[str, Any] | None = None
