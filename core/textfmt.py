"""Plain-text rendering shared by the command line and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """Left-aligned columns with a header row."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def ago(when: datetime | None, now: datetime) -> str:
    """'3 min ago', '2 h ago', '4 d ago'."""
    if when is None:
        return "never"
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def age_words(seconds: float) -> str:
    """'42 s', '5 min', '3 h', '2 d'."""
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} d"


def render_validation(v: Any, *, indent: str = "") -> str:
    """A validation result as text: status line, findings with positions and fixes, impacted objects."""
    types = ", ".join(v.statement_types) or "-"
    lines = [
        f"{indent}{v.status.value.upper()}  risk {v.risk_level.value}  "
        f"({len(v.statement_types)} statement{'s' if len(v.statement_types) != 1 else ''}: {types})"
        + ("  [checked by the server]" if v.server_checked else "")
    ]
    for f in v.findings:
        lines.append(f"{indent}  {f.line}:{f.column}  {f.severity.value:<7} {f.rule:<32} {f.message}")
        if f.suggestion:
            lines.append(
                f"{indent}  {'':>{len(str(f.line)) + len(str(f.column)) + 1}}  {'':<7} {'':<32} -> {f.suggestion}"
            )
    tables = [o for o in v.impacted_objects if o.type != "column"]
    if tables:
        shown = ", ".join(f"{o.name} ({o.access.value}{'; ' + o.reason if o.reason else ''})" for o in tables)
        lines.append(f"{indent}  impacted: {shown}")
    return "\n".join(lines)


def render_draft(d: Any, now: datetime, *, show_attempts: bool = False) -> str:
    """A draft as text: status, request, SQL, explanation, assumptions, findings, open questions."""
    age = d.snapshot_age_seconds(now)
    lines = [
        f"draft {d.id}  {d.status.value}  on {d.connection} ({d.mode})  by {d.requester}",
        f"  request: {d.request}",
    ]
    if age is not None:
        lines.append(
            f"  schema snapshot confirmed {age_words(age)} ago; generator: {d.generator}"
            + (f" ({d.llm_model})" if d.llm_model and d.llm_model != d.generator else "")
        )
    if d.error_message:
        lines.append(f"  error: {d.error_message}")
    if d.generated_script:
        script = d.effective_script_text or d.generated_script
        lines += ["", *("    " + line for line in script.splitlines()), ""]
    if d.explanation:
        lines.append(f"  explanation: {d.explanation}")
    for a in d.assumptions:
        lines.append(f"  assumption: {a}")
    for q in d.unresolved_questions:
        lines.append(f"  question: {q}")
    if d.confidence is not None:
        lines.append(f"  confidence: {d.confidence:.2f}")
    if d.warning:
        lines.append(f"  WARNING: {d.warning}")
    if d.validation:
        from core.validation.model import Validation

        lines.append(render_validation(Validation.from_dict(d.validation), indent="  "))
    if show_attempts and d.attempts:
        lines.append("  attempts:")
        for a in d.attempts:
            detail = a.error or (f"{a.lint_status}, {len(a.findings)} error(s)" if a.lint_status else "")
            lines.append(
                f"    #{a.number} {a.kind:<8} {a.latency_ms} ms  {a.prompt_tokens}+{a.completion_tokens} "
                f"tokens  {detail}"
            )
    return "\n".join(lines)
