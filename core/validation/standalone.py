"""The validator for a dialect alone (no snapshot): syntax, risk and DDL hazards, as the CI guard runs it.

Importing this needs only sqlglot and the validation core, so ``sqldraft validate --dialect`` starts fast.
"""

from __future__ import annotations

from core.validation.context import Settings
from core.validation.engine import Validator, parse_dialect
from core.validation.names import SchemaIndex


def dialect_validator(dialect: str, *, large_table_rows: int, large_offset: int, max_chars: int) -> Validator:
    """A validator that knows the dialect's rules but no schema (tables the script does not create are presumed).

    Raises:
        InvalidInput: unknown dialect.
    """
    return Validator(
        SchemaIndex.without_snapshot(parse_dialect(dialect)),
        settings=Settings(large_table_rows=large_table_rows, large_offset=large_offset),
        max_chars=max_chars,
    )
