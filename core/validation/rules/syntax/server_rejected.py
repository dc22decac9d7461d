"""syntax.server_rejected: The database itself rejected the statement when asked to prepare it (optional server-
side check; nothing is executed).
"""

from __future__ import annotations

from core.validation.model import Category, Severity
from core.validation.rules import Rule

RULE = Rule(
    "syntax.server_rejected",
    Category.SYNTAX,
    Severity.ERROR,
    description=(
        "The database itself rejected the statement when asked to prepare it (optional "
        "server-side check; nothing is executed)."
    ),
    example="SELECT nosuchfunction(1)",
    reported_by="core.validation.server_check (the --server-check option)",
)
