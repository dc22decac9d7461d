"""Plain-text rendering shared by the command line and the Slack app (ages, validation results)."""

from __future__ import annotations

from typing import Any


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
    for p in v.plans or []:
        where = f"statement {p.statement + 1}: " if len(v.statement_types) > 1 else ""
        cost = f", cost {p.cost:,.0f}" if p.cost is not None else ""
        lines.append(f"{indent}  plan estimate: {where}about {p.rows:,} rows{cost} (plain EXPLAIN, nothing run)")
    return "\n".join(lines)
