"""Inline suppression comments: ``-- sqldraft: allow risk.drop_column reason=...`` before a statement.

A suppression names one or more rule ids (comma-separated) and a reason; it applies to the next
statement only. Its findings leave ``findings`` for ``Validation.suppressed`` (rule, statement, line,
reason), so status and risk level are computed without them and reviewers still see them. Comments are
the lexer's comment lexemes (``--``, ``#`` in MySQL, ``/* */``), so the words inside a string, a
quoted name or a dollar quote are never read as a suppression. Without a reason, with an unknown or
unsuppressible rule id, in a read-only query, or with no statement after it, a suppression suppresses
nothing and is reported as ``syntax.bad_suppression`` naming what to fix.

>>> parse("-- sqldraft: allow risk.drop, risk.truncate reason=old table, emptied on purpose")
(['risk.drop', 'risk.truncate'], 'old table, emptied on purpose')
>>> parse("/* sqldraft: allow risk.drop */")
(['risk.drop'], '')
>>> parse("-- a plain comment") is None
True
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from core.validation.model import Category, Finding, ScriptMode, Suppressed
from core.validation.script import Script
from core.validation.suggest import suggest

PREFIX = re.compile(r"^\s*sqldraft\s*:\s*", re.IGNORECASE)
ALLOW = re.compile(r"^allow\b\s*(?P<rules>.*?)\s*(?:\breason\s*=\s*(?P<reason>.*))?$", re.IGNORECASE | re.DOTALL)
RULE_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")

UNSUPPRESSIBLE = {"risk.write_in_query", "risk.mode_mismatch"}
"""Besides every syntax.* rule: what guards the read-only contract or says the validator could not see."""


@dataclass(slots=True)
class Directive:
    rules: list[str]
    reason: str
    offset: int
    """Normalised offset of the comment."""
    line: int


def comment_body(text: str) -> str:
    """The text of a comment without its ``--``, ``#`` or ``/* */`` delimiters."""
    if text.startswith("/*"):
        return text[2:-2] if text.endswith("*/") else text[2:]
    return text[2:] if text.startswith("--") else text[1:]


def parse(comment: str) -> tuple[list[str], str] | None:
    """(rule ids, reason) of a suppression comment; None for a comment that is not a sqldraft directive.

    Raises:
        ValueError: a ``sqldraft:`` comment that is not ``allow <rule>[, <rule>] reason=<text>``.
    """
    body = comment_body(comment)
    head = PREFIX.match(body)
    if head is None:
        return None
    match = ALLOW.match(body[head.end() :].strip())
    if match is None:
        raise ValueError("a sqldraft: comment must read 'sqldraft: allow <rule id>[, <rule id>] reason=<why>'")
    rules = [r for r in re.split(r"[\s,]+", match["rules"]) if r]
    reason = (match["reason"] or "").strip().strip("\"'").strip()
    return [r.lower() for r in rules], reason


def apply(
    script: Script,
    findings: list[Finding],
    mode: ScriptMode,
    known: set[str],
) -> tuple[list[Finding], list[Suppressed]]:
    """Remove the findings the script's suppression comments allow; add a warning for each bad comment."""
    from core.validation.rules import RULES

    rule = RULES["syntax.bad_suppression"]

    def warn(offset: int, message: str) -> None:
        line, column = script.position(offset)
        findings.append(
            Finding(
                rule=rule.id,
                category=Category.SYNTAX,
                severity=rule.severity,
                message=message,
                line=line,
                column=column,
                statement=_next_statement(script, offset) or 0,
            )
        )

    allowed: dict[int, list[Directive]] = {}
    for lexeme, offset in script.comments:
        try:
            parsed = parse(lexeme.text)
        except ValueError as exc:
            warn(offset, str(exc))
            continue
        if parsed is None:
            continue
        rules, reason = parsed
        target = _next_statement(script, offset)
        problems = _problems(rules, reason, known, mode, target)
        if problems:
            warn(offset, "suppression ignored: " + "; ".join(problems))
            continue
        assert target is not None
        allowed.setdefault(target, []).append(Directive(rules, reason, offset, script.position(offset)[0]))
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        directive = next((d for d in allowed.get(finding.statement, []) if finding.rule in d.rules), None)
        if directive is None or finding.rule.startswith("syntax."):
            kept.append(finding)
            continue
        suppressed.append(
            Suppressed(
                rule=finding.rule,
                statement=finding.statement,
                line=finding.line,
                column=finding.column,
                message=finding.message,
                reason=directive.reason,
                comment_line=directive.line,
            )
        )
    return kept, suppressed


def _problems(rules: list[str], reason: str, known: set[str], mode: ScriptMode, target: int | None) -> list[str]:
    problems = []
    if not rules:
        problems.append("name the rule to allow, e.g. 'sqldraft: allow risk.drop_column reason=...'")
    for rule_id in rules:
        if rule_id not in known:
            close = suggest(rule_id, sorted(known))
            hint = f" (did you mean {', '.join(close)}?)" if close else " (see docs/rules.md for the rule ids)"
            problems.append(f"unknown rule id {rule_id!r}{hint}")
        elif rule_id.startswith("syntax.") or rule_id in UNSUPPRESSIBLE:
            problems.append(f"{rule_id} cannot be suppressed")
    if not reason:
        problems.append("add reason=<why this is safe> so reviewers see it")
    if mode is ScriptMode.QUERY:
        problems.append("suppressions apply to dml and ddl scripts, not to a read-only query")
    if target is None:
        problems.append("no statement follows the comment")
    return problems


def _next_statement(script: Script, offset: int) -> int | None:
    """The index of the first statement that starts after the comment (statements are in text order)."""
    k = bisect.bisect_right([s.start for s in script.statements], offset)
    return script.statements[k].index if k < len(script.statements) else None
