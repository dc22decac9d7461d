"""Several files validated as one script, in order, and the result split back into one report per file.

Migrations are applied in order, so file 3 may alter a table file 1 created: the files are joined into
one text (each ended by a line holding ``;``, so a last statement without a semicolon cannot run into
the next file) and validated once, with the schema evolving across them as in one script. Each
finding, statement and suppression is then mapped back to its file and its line in that file by the
line the file starts on; columns are unchanged because every file starts on a line of its own.

A file that cannot be lexed (an unterminated comment or string swallows what follows it) would hide
every later file: it gets its own finding and the others are validated again without it.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.cli.sources import Source

if TYPE_CHECKING:
    from core.validation.model import Finding, ImpactedObject, Validation

SEPARATOR = ";\n"


@dataclass(slots=True)
class FileReport:
    """One source's share of the validation: its own findings, statements, status and risk."""

    source: Source
    validation: Validation


@dataclass(slots=True)
class _Joined:
    text: str
    starts: list[int]
    """1-based line of the combined text on which each source begins."""
    lines: list[int]
    """How many lines each source has."""

    def locate(self, line: int) -> tuple[int, int]:
        """(source index, line in that source) of a line of the combined text."""
        k = max(0, bisect.bisect_right(self.starts, line) - 1)
        return k, min(max(1, line - self.starts[k] + 1), self.lines[k])


def join(sources: Sequence[Source]) -> _Joined:
    parts: list[str] = []
    starts: list[int] = []
    lines: list[int] = []
    line = 1
    for source in sources:
        body = source.text if source.text.endswith("\n") else source.text + "\n"
        starts.append(line)
        lines.append(max(1, body.count("\n")))
        parts.append(body + SEPARATOR)
        line += body.count("\n") + SEPARATOR.count("\n")
    return _Joined("".join(parts), starts, lines)


def validate_files(
    sources: Sequence[Source], validate: Callable[[str], Validation]
) -> tuple[list[FileReport], list[ImpactedObject]]:
    """One report per source, the sources validated in order as one script (see the module docstring),
    and the objects the script touches (for the whole run: a validation does not say which statement
    touched which object, so per-file reports of several files list none).

    A single source is validated as it is, so its report is exactly what ``validate`` returns.

    Raises:
        InvalidInput, TooLarge: as ``validate`` does for the joined text.
    """
    from core.errors import InvalidInput

    if len(sources) == 1:
        only = validate(sources[0].text)
        return [FileReport(sources[0], only)], list(only.impacted_objects)
    reports: dict[int, FileReport] = {}
    impacted: list[ImpactedObject] = []
    remaining = list(range(len(sources)))
    while remaining:
        subset = [sources[i] for i in remaining]
        joined = join(subset)
        try:
            combined = validate(joined.text)
        except InvalidInput:
            if not reports:
                raise
            # what is left after a broken file holds only comments: nothing to report in it
            for index in remaining:
                reports[index] = FileReport(sources[index], _empty(next(iter(reports.values())).validation))
            break
        if not combined.statements and combined.findings:
            # could not be lexed: the finding's line names the file that broke; the others go again
            first = min(combined.findings, key=lambda f: f.line)
            k, _ = joined.locate(first.line)
            broken = remaining[k]
            reports[broken] = _share(combined, joined, k, subset[k])
            remaining.remove(broken)
            continue
        for k, index in enumerate(remaining):
            reports[index] = _share(combined, joined, k, subset[k])
        impacted = list(combined.impacted_objects)
        break
    return [reports[i] for i in range(len(sources))], impacted


def _empty(like: Validation) -> Validation:
    from core.validation.model import RiskLevel, Status

    changes: dict[str, Any] = {
        "status": Status.PASS,
        "findings": [],
        "impacted_objects": [],
        "statement_types": [],
        "risk_level": RiskLevel.NONE,
        "statements": [],
    }
    if "suppressed" in {f.name for f in dataclasses.fields(like)}:
        changes["suppressed"] = []
    return dataclasses.replace(like, **changes)


def _share(combined: Validation, joined: _Joined, k: int, source: Source) -> FileReport:
    """The part of ``combined`` that falls in source ``k``, with lines and statement indexes of that file."""
    from core.validation.model import RiskLevel, Severity, Status

    statements = [s for s in combined.statements if joined.locate(s.line)[0] == k]
    first_index = statements[0].index if statements else 0
    moved_statements = [
        dataclasses.replace(s, index=s.index - first_index, line=joined.locate(s.line)[1]) for s in statements
    ]
    findings = [_moved(f, joined, first_index) for f in combined.findings if joined.locate(f.line)[0] == k]
    if any(f.severity is Severity.ERROR for f in findings):
        status = Status.FAIL
    elif any(f.severity is Severity.WARNING for f in findings):
        status = Status.WARN
    else:
        status = Status.PASS
    changes: dict[str, Any] = {
        "status": status,
        "findings": findings,
        "impacted_objects": [],
        "statement_types": [s.type for s in statements],
        "risk_level": RiskLevel.highest([f.risk for f in findings if f.risk is not None]),
        "statements": moved_statements,
    }
    if "suppressed" in {f.name for f in dataclasses.fields(combined)}:
        changes["suppressed"] = [
            _moved_item(item, joined, first_index)
            for item in getattr(combined, "suppressed", None) or []
            if joined.locate(_get(item, "line", 1))[0] == k
        ]
    return FileReport(source, dataclasses.replace(combined, **changes))


def _moved(f: Finding, joined: _Joined, first_index: int) -> Finding:
    return dataclasses.replace(f, line=joined.locate(f.line)[1], statement=max(0, f.statement - first_index))


def _get(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def _moved_item(item: Any, joined: _Joined, first_index: int) -> Any:
    """A suppression (a dict or a dataclass with ``line``, ``comment_line``, ``statement``) moved into its file."""
    moved: dict[str, Any] = {"statement": max(0, int(_get(item, "statement", 0) or 0) - first_index)}
    for name in ("line", "comment_line"):
        value = _get(item, name)
        if isinstance(value, int):
            moved[name] = joined.locate(value)[1]
    if isinstance(item, dict):
        return {**item, **moved}
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        names = {f.name for f in dataclasses.fields(item)}
        return dataclasses.replace(item, **{k: v for k, v in moved.items() if k in names})
    return item
