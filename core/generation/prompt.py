"""The messages sent to the model: the task, the retrieved schema, examples, and repair feedback.

Only schema metadata goes into a prompt: names, types, keys, comments, defaults and row estimates.
Never a credential, a connection URL or a data row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.dialects import profile
from core.domain.schema import Dialect, SchemaModel
from core.generation.examples import Example
from core.validation.model import Finding, ScriptMode

_MODES = {
    ScriptMode.QUERY: "a single read-only SELECT statement (no data or schema changes, no locking clauses)",
    ScriptMode.DML: "a data-change script (INSERT, UPDATE, DELETE or MERGE), each change with a WHERE that "
    "limits it to the rows asked for; no schema changes",
    ScriptMode.DDL: "a schema-change script (CREATE, ALTER, DROP) written as a safe migration for this database",
}
JSON_SHAPE = (
    '{"sql": "...", "explanation": "...", "assumptions": ["..."], "plan_steps": ["..."], '
    '"unresolved_questions": ["..."], "confidence": 0.0, "clarification_needed": false}'
)


@dataclass(slots=True)
class Task:
    request: str
    mode: ScriptMode
    dialect: Dialect
    server_version: str
    schema_text: str
    whole_schema: bool
    examples: list[Example] = field(default_factory=list)
    schema_model: SchemaModel | None = None
    """The snapshot's model (for generators that reason over it directly, like the offline one)."""
    failed_run: tuple[str, str] | None = None
    """(the script, the database error a run of it met): the first prompt asks for a corrected script."""


def system_message(task: Task) -> str:
    facts = profile(task.dialect)
    lines = [
        "You draft SQL for a person who will review it before anything runs. You never execute anything.",
        f"Database: {facts.products} {task.server_version}. Write SQL for exactly this dialect and version. "
        + facts.prompt_hint,
        f"Draft {_MODES[task.mode]}.",
        "Use only tables and columns that appear in the schema below; never invent a name. If the request "
        "cannot be answered from this schema, or is ambiguous in a way that changes the SQL, set "
        '"clarification_needed": true, leave "sql" empty and ask in "unresolved_questions".',
        "Prefer explicit column lists over SELECT *. State every assumption you make.",
        f"Reply with one JSON object and nothing else: {JSON_SHAPE}. confidence is between 0 and 1.",
        "",
        "Schema" + (" (complete)" if task.whole_schema else " (the tables most relevant to the request)") + ":",
        task.schema_text,
    ]
    positives = [e for e in task.examples if not e.negative]
    negatives = [e for e in task.examples if e.negative]
    if positives:
        lines += ["", "Approved drafts for similar requests on this database:"]
        for e in positives:
            lines += [f"Request: {e.request}", f"SQL: {e.sql.strip()}"]
    if negatives:
        lines += ["", "Drafts a reviewer rejected (do not repeat their mistakes):"]
        for e in negatives:
            lines += [f"Request: {e.request}", f"SQL: {e.sql.strip()}", f"Reviewer's note: {e.note or '-'}"]
    return "\n".join(lines)


def first_messages(task: Task) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": system_message(task)}, {"role": "user", "content": task.request}]
    if task.failed_run is not None:
        sql, error = task.failed_run
        messages.append(run_error_message(sql, error))
    return messages


def run_error_message(sql: str, error: str) -> dict[str, str]:
    """The repair request after a run failed: the script and the database's error, to be corrected."""
    return {
        "role": "user",
        "content": "This SQL was drafted for the request above, and running it on the database failed:\n"
        f"{sql}\nThe database said: {error}\nCorrect the SQL so that it runs and still answers the request, "
        "and reply with the whole JSON object again.",
    }


def repair_message(findings: list[Finding]) -> dict[str, str]:
    lines = [
        "The SQL you drafted does not validate against the schema. Fix every error below and reply with the "
        "whole JSON object again:"
    ]
    for f in findings:
        fix = f" ({f.suggestion})" if f.suggestion else ""
        lines.append(f"- line {f.line}, column {f.column}: {f.message}{fix} [{f.rule}]")
    return {"role": "user", "content": "\n".join(lines)}


def format_reminder() -> dict[str, str]:
    return {"role": "user", "content": f"Reply with the JSON object only, exactly this shape: {JSON_SHAPE}"}
