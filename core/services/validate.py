"""Validate a script: against a connection's snapshot (and, on request, its server), or a dialect alone."""

from __future__ import annotations

from core.errors import Hint, InvalidInput
from core.services.connections import Target
from core.services.tools import SnapshotTools, ToolSettings
from core.validation.engine import parse_dialect, parse_mode
from core.validation.explain import explain_on_server, table_rows_of
from core.validation.model import Validation
from core.validation.server_check import check_on_server
from core.validation.standalone import dialect_validator


def validate_for_dialect(sql: str, dialect: str, mode: str, *, settings: ToolSettings) -> Validation:
    """Syntax and risk of a script for a dialect, without a snapshot (the migration guard in CI).

    Raises:
        InvalidInput: unknown mode or dialect, empty text.
        TooLarge: over SQLDRAFT_MAX_SQL_CHARS.
    """
    parsed_mode = parse_mode(mode)
    validator = dialect_validator(
        dialect,
        large_table_rows=settings.validation.large_table_rows,
        large_offset=settings.validation.large_offset,
        max_chars=settings.max_sql_chars,
    )
    return validator.validate(sql, parsed_mode)


def validate_for_connection(
    sql: str, connection: str, tools: SnapshotTools, *, dialect: str | None, mode: str, server: Target | None
) -> Validation:
    """A script against a connection's snapshot; with ``server``, also prepared (never run) on its database,
    and its plain reads explained (plain EXPLAIN: plan estimates and ``perf.plan_*`` findings).

    Raises:
        InvalidInput: the dialect given is not the connection's; unknown mode; empty text.
    """
    parsed_mode = parse_mode(mode)
    validator = tools.validator
    if dialect is not None and parse_dialect(dialect) is not validator.dialect:
        raise InvalidInput(
            f"connection {connection!r} is {validator.dialect.value}, not {dialect}", hints=[Hint.OMIT_DIALECT]
        )
    result = validator.validate(sql, parsed_mode)
    if server is not None:
        positions = [(s.index, s.text, s.line, s.column) for s in result.statements]
        check_on_server(result, server.config, positions)
        explain_on_server(result, server.config, validator.settings, table_rows=table_rows_of(tools.schema))
    return result


def check_validate_args(connection: str | None, dialect: str | None, server_check: bool) -> None:
    """What a validation needs before anything is opened.

    Raises:
        InvalidInput: no connection and no dialect; a server check without a connection.
    """
    if connection is None and dialect is None:
        raise InvalidInput("no connection and no dialect to check against", hints=[Hint.GIVE_DIALECT])
    if connection is None and server_check:
        raise InvalidInput("the server-side check needs a connection")
