"""`sqldraft validate` output for CI: the --fail-on threshold, GitHub Actions annotations and SARIF 2.1.0.

GitHub workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
(``::error file=F,line=L,col=C,title=T::message``; ``%``, CR and LF escaped in the message, and ``:``
and ``,`` too in a property). SARIF: OASIS SARIF 2.1.0, the subset GitHub code scanning reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from core.cli.batch import FileReport
    from core.validation.model import Finding, Validation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sqldraft/sqldraft/blob/main/docs/rules.md"


class FailOn(StrEnum):
    """What makes `sqldraft validate` exit 1 (a ``fail`` status always does)."""

    ERROR = "error"
    WARNING = "warning"
    HIGH = "high"
    CRITICAL = "critical"


DEFAULT_FAIL_ON = FailOn.CRITICAL


def trips(v: Validation, fail_on: FailOn) -> bool:
    """Whether this result fails the CI step: status fail, or what ``fail_on`` adds to it."""
    from core.validation.model import RiskLevel, Status

    if v.status is Status.FAIL:
        return True
    if fail_on is FailOn.WARNING:
        return v.status is Status.WARN
    if fail_on in (FailOn.HIGH, FailOn.CRITICAL):
        return v.risk_level.rank >= RiskLevel(fail_on.value).rank
    return False


def finding_trips(f: Finding, fail_on: FailOn) -> bool:
    """Whether this finding alone would fail the step (it is shown as an error then)."""
    from core.validation.model import RiskLevel, Severity

    if f.severity is Severity.ERROR:
        return True
    if fail_on is FailOn.WARNING:
        return f.severity is Severity.WARNING
    if fail_on in (FailOn.HIGH, FailOn.CRITICAL):
        return f.risk is not None and f.risk.rank >= RiskLevel(fail_on.value).rank
    return False


def suppressed(v: Validation) -> list[dict[str, Any]]:
    """The findings an inline ``-- sqldraft: allow RULE reason=...`` comment suppressed, as dicts."""
    items = getattr(v, "suppressed", None) or []
    out = []
    for item in items:
        get = item.get if isinstance(item, dict) else (lambda name, default=None, o=item: getattr(o, name, default))
        out.append(
            {
                "rule": str(get("rule", "")),
                "statement": int(get("statement", 0) or 0),
                "line": int(get("line", 1) or 1),
                "column": int(get("column", 1) or 1),
                "message": get("message", None),
                "reason": get("reason", None),
            }
        )
    return out


# --- GitHub Actions ---------------------------------------------------------------------------------


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, message: str, *, path: str | None, line: int, column: int | None, title: str) -> str:
    props = []
    if path is not None:
        props += [f"file={escape_property(path)}", f"line={line}"]
        if column is not None:
            props.append(f"col={column}")
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


_ANNOTATION = {"error": "error", "warning": "warning", "info": "notice"}


def github_annotations(reports: Sequence[FileReport], fail_on: FailOn) -> str:
    """One workflow command per finding (error when it fails the step, else warning or notice)."""
    lines = []
    for report in reports:
        path = _slashes(report.source.path) if report.source.path else None
        for f in report.validation.findings:
            level = "error" if finding_trips(f, fail_on) else _ANNOTATION[f.severity.value]
            message = f.message + (f" Fix: {f.suggestion}" if f.suggestion else "")
            if f.risk is not None:
                message += f" (risk {f.risk.value})"
            lines.append(_command(level, message, path=path, line=f.line, column=f.column, title=f.rule))
        for s in suppressed(report.validation):
            reason = s["reason"] or "no reason given"
            lines.append(
                _command(
                    "notice",
                    f"{s['message'] or s['rule']} (suppressed by an inline comment: {reason})",
                    path=path,
                    line=s["line"],
                    column=s["column"],
                    title=f"{s['rule']} (suppressed)",
                )
            )
    return "\n".join(lines)


# --- SARIF 2.1.0 ------------------------------------------------------------------------------------

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def sarif_log(reports: Sequence[FileReport], fail_on: FailOn, *, version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log: the rule registry as ``tool.driver.rules``, one result per finding or suppression."""
    from core.validation.rules import RULES

    rule_ids = list(RULES)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = [
        {
            "id": rule.id,
            "name": rule.id.replace(".", "_"),
            "shortDescription": {"text": rule.description},
            "fullDescription": {"text": rule.description},
            "help": {
                "text": f"{rule.description}\nExample: {rule.example}",
                "markdown": f"{rule.description}\n\nExample:\n\n```sql\n{rule.example}\n```",
            },
            "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
            "properties": {
                "category": rule.category.value,
                "dialects": list(rule.dialects),
                **({"risk": rule.risk.value} if rule.risk else {}),
                "tags": [rule.category.value],
            },
        }
        for rule in RULES.values()
    ]
    results: list[dict[str, Any]] = []
    artifacts: list[dict[str, Any]] = []
    for report in reports:
        uri = artifact_uri(report.source.path) if report.source.path else None
        if uri is not None:
            artifacts.append({"location": {"uri": uri}})
        for f in report.validation.findings:
            level = "error" if finding_trips(f, fail_on) else _LEVELS[f.severity.value]
            result: dict[str, Any] = {
                "ruleId": f.rule,
                "level": level,
                "message": {"text": f.message + (f" Fix: {f.suggestion}" if f.suggestion else "")},
                "properties": {"category": f.category.value, "severity": f.severity.value},
            }
            if f.risk is not None:
                result["properties"]["risk"] = f.risk.value
            if f.rule in index:
                result["ruleIndex"] = index[f.rule]
            if uri is not None:
                result["locations"] = [_location(uri, f.line, f.column)]
            results.append(result)
        for s in suppressed(report.validation):
            rule = RULES.get(s["rule"])
            result = {
                "ruleId": s["rule"],
                "level": _LEVELS[rule.severity.value] if rule else "warning",
                "message": {"text": (s["message"] or (rule.description if rule else s["rule"])) + " (suppressed)"},
                "suppressions": [{"kind": "inSource", "justification": s["reason"] or ""}],
            }
            if s["rule"] in index:
                result["ruleIndex"] = index[s["rule"]]
            if uri is not None:
                result["locations"] = [_location(uri, s["line"], s["column"])]
            results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "sqldraft",
                "version": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if artifacts:
        run["artifacts"] = artifacts
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _location(uri: str, line: int, column: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": max(1, line), "startColumn": max(1, column)},
        }
    }


def artifact_uri(path: str) -> str:
    """A relative path as a relative URI reference (code scanning resolves it from the repository root);
    an absolute path as a ``file://`` URI."""
    if Path(path).is_absolute():
        return Path(path).resolve().as_uri()
    return quote(_slashes(path).removeprefix("./"))


def _slashes(path: str) -> str:
    return PurePath(path).as_posix()
