"""Reading a model's reply: a JSON object, possibly fenced or wrapped in chat; a bare SQL block as a fallback.

>>> parse_reply('Sure! ```json\\n{"sql": "SELECT 1", "confidence": 80}\\n``` Hope it helps.').confidence
0.8
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_FENCE = re.compile(r"```([A-Za-z0-9_-]*)\s*\n?(.*?)```", re.S)


class ReplyError(ValueError):
    """The reply holds neither the JSON object asked for nor a SQL block."""


@dataclass(slots=True)
class Reply:
    sql: str
    explanation: str = ""
    assumptions: list[str] = field(default_factory=list)
    plan_steps: list[str] = field(default_factory=list)
    unresolved_questions: list[str] = field(default_factory=list)
    confidence: float | None = None
    clarification_needed: bool = False


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()][:20]
    return [str(value)]


def _confidence(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if 1 < number <= 100:
        number /= 100
    return min(1.0, max(0.0, number))


def _strip_sql(sql: str) -> str:
    text = sql.strip()
    fenced = _FENCE.search(text)
    if fenced and text.startswith("```"):
        text = fenced.group(2).strip()
    return text


def _json_candidates(text: str) -> list[str]:
    out = [m.group(2) for m in _FENCE.finditer(text) if m.group(1).lower() in ("json", "")]
    start = text.find("{")
    while start >= 0:
        depth, in_string, escape = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                if escape:
                    escape = False
                elif ch == "\\":
                    escape = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    out.append(text[start : i + 1])
                    break
        start = text.find("{", start + 1) if not out else -1
    return out


def parse_reply(text: str | None) -> Reply:
    """The fields of the reply.

    Raises:
        ReplyError: no JSON object with the fields, and no SQL block either.
    """
    raw = (text or "").strip()
    if not raw:
        raise ReplyError("the model returned an empty reply")
    for candidate in _json_candidates(raw):
        try:
            data = json.loads(candidate, strict=False)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict) or not any(
            k in data for k in ("sql", "clarification_needed", "unresolved_questions")
        ):
            continue
        return Reply(
            sql=_strip_sql(str(data.get("sql") or "")),
            explanation=str(data.get("explanation") or "").strip(),
            assumptions=_strings(data.get("assumptions")),
            plan_steps=_strings(data.get("plan_steps")),
            unresolved_questions=_strings(data.get("unresolved_questions")),
            confidence=_confidence(data.get("confidence")),
            clarification_needed=bool(data.get("clarification_needed")),
        )
    fenced = [m for m in _FENCE.finditer(raw) if m.group(1).lower() in ("sql", "postgresql", "mysql", "sqlite")]
    if fenced:
        sql = fenced[0].group(2).strip()
        explanation = _FENCE.sub("", raw).strip()[:2000]
        return Reply(sql=sql, explanation=explanation)
    raise ReplyError("the model's reply was not the JSON object asked for (and held no ```sql block)")
