"""Connection profiles: add, list, verify, change and remove; credentials stay encrypted."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.crypto import Cipher
from core.domain.connections import (
    ConnectionOptions,
    ConnectionProfile,
    RefreshStatus,
    Schedule,
    VerifyReport,
    check_review_options,
    validate_name,
)
from core.domain.review import parse_principals
from core.domain.schema import Dialect
from core.errors import Conflict, Hint, HintRef, InvalidInput, NotFound, SecretKeyError, TargetUnreachable
from core.introspection.targets import TargetConfig, connect, explain_error, parse_target_url, read_only_hint
from core.store import UnitOfWork
from core.store.models import ConnectionRow, SnapshotRow


@dataclass(slots=True)
class NewConnection:
    name: str
    url: str
    password: str | None = None
    options: ConnectionOptions = field(default_factory=ConnectionOptions)


def to_profile(row: ConnectionRow, snapshot: SnapshotRow | None = None) -> ConnectionProfile:
    last = None
    if row.last_refresh_at is not None and row.last_refresh_status is not None:
        last = RefreshStatus(
            at=row.last_refresh_at,
            status=row.last_refresh_status,
            error=row.last_refresh_error,
            duration_ms=row.last_refresh_ms,
        )
    return ConnectionProfile(
        id=row.id,
        name=row.name,
        dialect=Dialect(row.dialect),
        url=row.url,
        has_password=row.credential is not None,
        options=ConnectionOptions.from_dict(row.options),
        created_at=row.created_at,
        last_refresh=last,
        snapshot_id=snapshot.id if snapshot else None,
        snapshot_taken_at=snapshot.taken_at if snapshot else None,
        snapshot_checksum=snapshot.checksum if snapshot else None,
        table_count=snapshot.table_count if snapshot else None,
    )


def find_connection(session: Session, name: str) -> ConnectionRow:
    """The connection named ``name``.

    Raises:
        NotFound: with the list of known names.
    """
    row = session.scalars(select(ConnectionRow).where(ConnectionRow.name == name)).first()
    if row is None:
        known = session.scalars(select(ConnectionRow.name).order_by(ConnectionRow.name)).all()
        if known:
            raise NotFound(f"unknown connection {name!r}; known connections: {', '.join(known)}")
        raise NotFound(f"unknown connection {name!r}; no connections yet", hints=[Hint.ADD_CONNECTION])
    return row


_FUNCTION_NAME = re.compile(r"^(?:[a-z_][a-z0-9_$]*\.)?[a-z_][a-z0-9_$]*$")


def parse_function_names(value: Any) -> list[str]:
    """A connection's safe-function list: ``name`` or ``schema.name``, lower case, no duplicates.

    Raises:
        InvalidInput: a name that is not a plain (optionally schema-qualified) function name.
    """
    names = [str(v).strip().lower() for v in (value or []) if str(v).strip()]
    for name in names:
        if not _FUNCTION_NAME.match(name):
            raise InvalidInput(
                f"{name!r} is not a function name: give names such as my_func or reporting.my_func, comma-separated"
            )
    return sorted(set(names))


def check_options(options: ConnectionOptions) -> ConnectionOptions:
    if options.refresh is not None:
        Schedule.parse(options.refresh)
    if "approvers" in options.extra:
        options.extra["approvers"] = parse_principals(options.extra["approvers"])
    check_review_options(options.extra)
    if "safe_functions" in options.extra:
        options.extra["safe_functions"] = parse_function_names(options.extra["safe_functions"])
    if "explain_costs" in options.extra and not isinstance(options.extra["explain_costs"], bool):
        raise InvalidInput("explain_costs must be yes or no")
    for pattern in [*options.include_schemas, *options.exclude_schemas]:
        if not pattern.strip():
            raise InvalidInput("a schema name in the schemas to include or exclude is blank")
    return options


def add_connection(uow: UnitOfWork, new: NewConnection, *, cipher: Cipher, now: datetime) -> ConnectionProfile:
    """Store a new connection profile; the password is encrypted and kept apart from the URL.

    Raises:
        InvalidInput: bad name, URL, dialect or options; a password given twice.
        Conflict: the name is taken.
        SecretKeyError: a password but no key to encrypt it with.
    """
    name = validate_name(new.name)
    parsed = parse_target_url(new.url)
    if parsed.password is not None and new.password is not None:
        raise InvalidInput("the password was given twice (in the URL and as an option): give it once")
    password = new.password if new.password is not None else parsed.password
    if parsed.dialect is Dialect.SQLITE and password:
        raise InvalidInput("sqlite connections take no password")
    check_options(new.options)
    if parsed.dialect is Dialect.SQLITE and (new.options.include_schemas or new.options.exclude_schemas):
        raise InvalidInput("sqlite connections have no schemas to include or exclude")
    credential = cipher.encrypt(password) if password else None
    session = uow.session
    if session.scalars(select(ConnectionRow.id).where(ConnectionRow.name == name)).first() is not None:
        raise Conflict(f"a connection named {name!r} already exists: choose another name or remove it first")
    row = ConnectionRow(
        name=name,
        dialect=parsed.dialect.value,
        url=parsed.url.render_as_string(hide_password=False),
        credential=credential,
        options=new.options.to_dict(),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    profile = to_profile(row)
    uow.commit()
    return profile


def current_snapshot_rows(session: Session, rows: list[ConnectionRow]) -> dict[int, SnapshotRow]:
    ids = [r.current_snapshot_id for r in rows if r.current_snapshot_id is not None]
    if not ids:
        return {}
    snaps = session.execute(
        select(
            SnapshotRow.id,
            SnapshotRow.taken_at,
            SnapshotRow.checksum,
            SnapshotRow.table_count,
            SnapshotRow.connection_id,
        ).where(SnapshotRow.id.in_(ids))
    ).all()
    return {
        s.connection_id: SnapshotRow(id=s.id, taken_at=s.taken_at, checksum=s.checksum, table_count=s.table_count)
        for s in snaps
    }


def list_connections(uow: UnitOfWork) -> list[ConnectionProfile]:
    session = uow.session
    rows = list(session.scalars(select(ConnectionRow).order_by(ConnectionRow.name)))
    snaps = current_snapshot_rows(session, rows)
    return [to_profile(r, snaps.get(r.id)) for r in rows]


def get_connection(uow: UnitOfWork, name: str) -> ConnectionProfile:
    """One connection's profile with its snapshot in use.

    Raises:
        NotFound: unknown name (with close names).
    """
    row = find_connection(uow.session, name)
    return to_profile(row, current_snapshot_rows(uow.session, [row]).get(row.id))


@dataclass(slots=True)
class Target:
    """A connection as the code that talks to its database needs it (the password decrypted)."""

    id: int
    config: TargetConfig
    options: dict[str, Any]


def target_for(
    uow: UnitOfWork, name: str, *, cipher: Cipher, connect_timeout: float, statement_timeout: float
) -> Target:
    """Read a connection and end the read, so that no store transaction stays open over the network call."""
    row = find_connection(uow.session, name)
    config = target_config(row, cipher, connect_timeout=connect_timeout, statement_timeout=statement_timeout)
    target = Target(id=row.id, config=config, options=dict(row.options or {}))
    uow.rollback()
    return target


def target_config(
    row: ConnectionRow, cipher: Cipher, *, connect_timeout: float, statement_timeout: float
) -> TargetConfig:
    password = cipher.decrypt(row.credential, what=f"connection {row.name!r}") if row.credential else None
    return TargetConfig(
        name=row.name,
        dialect=Dialect(row.dialect),
        url=row.url,
        password=password,
        connect_timeout=connect_timeout,
        statement_timeout=statement_timeout,
    )


_PG_WRITE_CHECK = """
SELECT r.rolsuper,
       has_database_privilege(current_database(), 'CREATE'),
       EXISTS (SELECT 1 FROM pg_namespace n
               WHERE n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
                 AND has_schema_privilege(n.oid, 'CREATE')),
       EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
                 AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
                      OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))),
       current_user
FROM pg_roles r WHERE r.rolname = current_user
"""

_MYSQL_WRITE_PRIVILEGES = (
    "ALL PRIVILEGES",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "ALTER",
    "INDEX",
    "CREATE VIEW",
    "TRIGGER",
    "EXECUTE",
    "FILE",
    "SUPER",
    "GRANT OPTION",
    "CREATE USER",
    "CREATE ROUTINE",
    "ALTER ROUTINE",
    "EVENT",
    "DELETE HISTORY",
)


def _write_reasons(conn: Connection, dialect: Dialect, url: str) -> list[str]:
    if dialect is Dialect.POSTGRESQL:
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cur.execute(_PG_WRITE_CHECK, {})
        row = cur.fetchone()
        cur.close()
        if row is None:
            return []
        superuser, db_create, schema_create, table_write, user = row
        reasons = []
        if superuser:
            reasons.append(f"role {user} is a superuser")
        if db_create:
            reasons.append("may create schemas in the database")
        if schema_create:
            reasons.append("may create objects in a schema")
        if table_write:
            reasons.append("may insert, update, delete or truncate rows of a table")
        return reasons
    if dialect is Dialect.MYSQL:
        return _mysql_write_reasons(conn)
    path = make_url(url).database or ""
    return [f"the account running sqldraft may write {path}"] if os.access(path, os.W_OK) else []


_MYSQL_PRIVILEGES = """
SELECT 'global' AS scope, '*' AS db, '*' AS tbl, privilege_type, is_grantable
  FROM information_schema.user_privileges WHERE grantee IN ({grantees})
UNION ALL
SELECT 'schema', table_schema, '*', privilege_type, is_grantable
  FROM information_schema.schema_privileges WHERE grantee IN ({grantees})
UNION ALL
SELECT 'table', table_schema, table_name, privilege_type, is_grantable
  FROM information_schema.table_privileges WHERE grantee IN ({grantees})
"""


def _mysql_grantees(conn: Connection) -> list[str]:
    """The current account and its active role as information_schema spells grantees ('user'@'host', 'role')."""
    user, role = conn.exec_driver_sql("SELECT CURRENT_USER(), CURRENT_ROLE()").one()
    name, _, host = str(user).rpartition("@")
    grantees = [f"'{name}'@'{host}'"]
    if role and str(role).upper() != "NONE":
        grantees.extend(f"'{r.strip().strip('`')}'" for r in str(role).split(","))
    return grantees


def _mysql_write_reasons(conn: Connection) -> list[str]:
    """Write privileges of the account, read from information_schema (never from SHOW GRANTS, whose text
    carries the password hash)."""
    grantees = _mysql_grantees(conn)
    params = ", ".join(f"%(g{i})s" for i in range(len(grantees)))
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cur.execute(_MYSQL_PRIVILEGES.format(grantees=params), {f"g{i}": g for i, g in enumerate(grantees)})
    rows = cur.fetchall()
    cur.close()
    by_scope: dict[str, list[str]] = {}
    for _scope, db, tbl, privilege, grantable in rows:
        where = f"{db}.{tbl}" if db != "*" else "*.*"
        found = by_scope.setdefault(where, [])
        if str(privilege).upper() in _MYSQL_WRITE_PRIVILEGES and privilege not in found:
            found.append(str(privilege).upper())
        if str(grantable).upper() == "YES" and "GRANT OPTION" not in found:
            found.append("GRANT OPTION")
    return [f"holds {', '.join(privs)} on {where}" for where, privs in sorted(by_scope.items()) if privs]


def server_version(conn: Connection, dialect: Dialect) -> str:
    if dialect is Dialect.POSTGRESQL:
        return str(conn.exec_driver_sql("SHOW server_version").scalar())
    if dialect is Dialect.MYSQL:
        return str(conn.exec_driver_sql("SELECT VERSION()").scalar())
    return "SQLite " + str(conn.exec_driver_sql("SELECT sqlite_version()").scalar())


def verify_target(target: TargetConfig) -> VerifyReport:
    """Connect with the timeout, read the server version and whether the role can write."""
    start = time.perf_counter()
    error: str | None = None
    try:
        with connect(target) as conn:
            version = server_version(conn, target.dialect)
            reasons = _write_reasons(conn, target.dialect, target.url)
    except TargetUnreachable as exc:
        error = str(exc)
    except DBAPIError as exc:
        error = f"connected to {target.name!r} but a check failed: {explain_error(exc, target)}"
    if error is not None:
        elapsed = int((time.perf_counter() - start) * 1000)
        return VerifyReport(
            name=target.name,
            ok=False,
            server_version=None,
            can_write=None,
            write_reasons=[],
            elapsed_ms=elapsed,
            error=error,
        )
    elapsed = int((time.perf_counter() - start) * 1000)
    return VerifyReport(
        name=target.name,
        ok=True,
        server_version=version,
        can_write=bool(reasons),
        write_reasons=reasons,
        elapsed_ms=elapsed,
        read_only_hint=read_only_hint(target.dialect, make_url(target.url).database) if reasons else None,
    )


def set_options(uow: UnitOfWork, name: str, changes: dict[str, Any], *, now: datetime) -> ConnectionProfile:
    """Change a connection's options (only the keys given)."""
    row = find_connection(uow.session, name)
    merged = {**ConnectionOptions.from_dict(row.options).to_dict(), **changes}
    options = check_options(ConnectionOptions.from_dict(merged))
    if row.dialect == Dialect.SQLITE.value and (options.include_schemas or options.exclude_schemas):
        raise InvalidInput("sqlite connections have no schemas to include or exclude")
    row.options = options.to_dict()
    row.updated_at = now
    uow.session.flush()
    profile = to_profile(row)
    uow.commit()
    return profile


def dependent_drafts(session: Session, connection_id: int) -> int:
    """How many drafts reference the connection (0 until the drafts table exists)."""
    from core.store import models

    draft_model = getattr(models, "DraftRow", None)
    if draft_model is None:
        return 0
    return int(
        session.scalar(select(func.count()).select_from(draft_model).where(draft_model.connection_id == connection_id))
        or 0
    )


def remove_connection(uow: UnitOfWork, name: str, *, force: bool) -> int:
    """Remove a connection and its snapshots; with drafts, refuse unless ``force`` (drafts are kept).

    Returns the number of drafts kept without their connection.

    Raises:
        NotFound: unknown name.
        Conflict: drafts reference it and ``force`` is false.
    """
    row = find_connection(uow.session, name)
    drafts = dependent_drafts(uow.session, row.id)
    if drafts and not force:
        raise Conflict(
            f"connection {name!r} has {drafts} draft(s) in its history", hints=[HintRef(Hint.USE_FORCE, name)]
        )
    uow.session.delete(row)
    uow.session.flush()
    uow.commit()
    return drafts


def unreadable_credentials(uow: UnitOfWork, *, cipher: Cipher) -> list[str]:
    """Names of the connections whose stored password none of the configured keys decrypts (all of them when no
    key is set)."""
    names = []
    rows = uow.session.execute(
        select(ConnectionRow.name, ConnectionRow.credential).where(ConnectionRow.credential.is_not(None))
    ).all()
    for name, credential in rows:
        if credential is None:
            continue
        try:
            cipher.decrypt(credential, what=f"connection {name!r}")
        except SecretKeyError:
            names.append(name)
    uow.rollback()
    return sorted(names)


def rotate_credentials(uow: UnitOfWork, *, cipher: Cipher) -> int:
    """Re-encrypt every stored credential with the first key; returns how many."""
    count = 0
    for row in uow.session.scalars(select(ConnectionRow).where(ConnectionRow.credential.is_not(None))):
        assert row.credential is not None
        row.credential = cipher.rotate(row.credential, what=f"connection {row.name!r}")
        count += 1
    uow.commit()
    return count
