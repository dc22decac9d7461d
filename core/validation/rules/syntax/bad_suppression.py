"""syntax.bad_suppression: A ``-- sqldraft: allow ...`` comment that suppresses nothing: an unknown or
unsuppressible rule id, no reason=, a read-only query, or no statement after it.
"""

from __future__ import annotations

from core.validation.model import Category, Severity
from core.validation.rules import Rule

RULE = Rule(
    "syntax.bad_suppression",
    Category.SYNTAX,
    Severity.WARNING,
    description=(
        "A `-- sqldraft: allow <rule> reason=...` comment that suppresses nothing: an unknown or "
        "unsuppressible rule id, no reason=, a read-only query, or no statement after it."
    ),
    example="-- sqldraft: allow risk.drop_colum reason=unused since v2",
    reported_by="core.validation.suppress (inline suppression comments)",
)
