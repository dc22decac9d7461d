"""Engine, migrations and the unit of work for the metadata store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import NoSuchModuleError as SANoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import ConfigurationError, Hint, SqldraftError, StoreVersionError, UpstreamError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level so that the "begin" hook below owns transaction start.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: concurrent writers queue on busy_timeout instead of
    # failing with "database is locked" when a read transaction tries to upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(url: str) -> Engine:
    """An engine for the store URL (SQLite: WAL, foreign keys on, immediate transactions).

    Raises:
        ConfigurationError: the URL is malformed or names an unknown driver.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "SQLDRAFT_STORE_URL is not a valid URL: use sqlite:///path/to/store.db or postgresql+psycopg://user@host/db"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        except SANoSuchModuleError:
            pass
    raise ConfigurationError(
        f"SQLDRAFT_STORE_URL uses {parsed.drivername!r}: the store must be SQLite (sqlite:///...) or "
        "PostgreSQL (postgresql+psycopg://...)"
    )


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Reading the revision logs alembic's "Context impl" lines at INFO on every start; keep upgrades' lines."""
    logger = logging.getLogger("alembic.runtime.migration")
    level = logger.level
    logger.setLevel(max(logging.WARNING, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        logger.setLevel(level)


def _alembic_config(connection: Any) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


class UnitOfWork:
    """One transaction on the store: rolled back unless :meth:`commit` is called."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


UowFactory = Callable[[], UnitOfWork]
"""Opens a unit of work (``Store.uow``): what a long-running operation takes to open short transactions."""

Clock = Callable[[], datetime]
"""Now, in UTC (injected so that tests and services never call utcnow() themselves)."""


class Store:
    """The metadata store: an engine, its migrations, and units of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._ready = False
        self.pool_waits = 0
        """Checkouts that found every pooled connection in use (served by overflow, or after a wait)."""
        event.listen(self.engine, "checkout", self._count_wait)

    def _count_wait(self, _dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        size, checked_out = getattr(self.engine.pool, "size", None), getattr(self.engine.pool, "checkedout", None)
        if callable(size) and callable(checked_out) and checked_out() > size():
            self.pool_waits += 1

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._factory)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session (rolled back at the end)."""
        with self.uow() as uow:
            yield uow.session

    def revisions(self) -> tuple[str | None, str]:
        """(current revision of the store, head revision this version knows)."""
        script = ScriptDirectory.from_config(_alembic_config(None))
        head = script.get_current_head()
        assert head is not None
        try:
            with self.engine.connect() as conn, _quiet_alembic():
                current = MigrationContext.configure(conn).get_current_revision()
        except DBAPIError as exc:
            raise self._unreadable(exc) from None
        return current, head

    def _unreadable(self, exc: DBAPIError) -> SqldraftError:
        database = self.engine.url.database or ""
        local = self.backend == "sqlite" and database and not database.startswith(":")
        if local and Path(database).is_file() and not _is_sqlite_file(Path(database)):
            return ConfigurationError(
                f"the store file {database} is not a SQLite database: point SQLDRAFT_STORE_URL at a "
                "sqldraft store or at a path that does not exist yet"
            )
        return UpstreamError(f"cannot open the store at {self.display_url()}: {_first_line(exc)}")

    def foreign_tables(self) -> list[str]:
        """Tables of the store's database that sqldraft does not own."""
        from core.store.models import Base

        ours = set(Base.metadata.tables) | {"alembic_version"}
        with self.engine.connect() as conn:
            return sorted(t for t in inspect(conn).get_table_names() if t not in ours)

    def upgrade(self, *, into_existing: bool = False) -> tuple[str | None, str]:
        """Create or upgrade the store to this version's schema; returns (before, after).

        A database that holds tables sqldraft does not own is not taken over unless ``into_existing``.

        Raises:
            StoreVersionError: the store was created by a newer sqldraft, or the database holds
                another application's tables.
        """
        before, head = self.revisions()
        self._refuse_newer(before)
        if before is None and not into_existing:
            foreign = self.foreign_tables()
            if foreign:
                shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
                raise StoreVersionError(
                    f"the store at {self.display_url()} holds tables sqldraft does not own ({shown}): point "
                    "SQLDRAFT_STORE_URL at an empty database",
                    hints=[Hint.FORCE_INTO_EXISTING],
                )
        if before != head:
            with self.engine.begin() as conn:
                command.upgrade(_alembic_config(conn), "head")
        self._ready = True
        return before, head

    def ensure_ready(self) -> None:
        """Create an empty store on first use; refuse an older or newer one with the fix.

        Raises:
            StoreVersionError: older store (hinting to upgrade it) or newer store (upgrade sqldraft).
        """
        if self._ready:
            return
        current, head = self.revisions()
        if current is None:
            with self.engine.connect() as conn:
                tables = inspect(conn).get_table_names()
            if tables:
                raise StoreVersionError(
                    f"the store at {self.display_url()} holds tables but no sqldraft version: "
                    "point SQLDRAFT_STORE_URL at an empty database or a sqldraft store"
                )
            self.upgrade()
            return
        self._refuse_newer(current)
        if current != head:
            raise StoreVersionError(
                f"the store at {self.display_url()} is at an older version ({current})", hints=[Hint.UPGRADE_STORE]
            )
        self._ready = True

    def _refuse_newer(self, current: str | None) -> None:
        if current is None:
            return
        script = ScriptDirectory.from_config(_alembic_config(None))
        try:
            known = script.get_revision(current)
        except Exception:
            known = None
        if known is None:
            raise StoreVersionError(
                f"the store at {self.display_url()} was created by a newer sqldraft (revision {current}); "
                "upgrade sqldraft to use it"
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return True  # unreadable is reported by the driver's own message
    return head == b"SQLite format 3\x00" or head == b""


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
