"""Session fixtures: the fixture schema created in SQLite, PostgreSQL and MariaDB, snapshotted once."""

from __future__ import annotations

import pytest

from core.domain.schema import Dialect, SchemaModel
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.validation.context import Settings
from core.validation.engine import Validator
from core.validation.names import SchemaIndex
from tests.support.fixture_schema import fixture_ddl, fixture_rows
from tests.support.servers import mariadb_database, pg_database, run_mariadb, run_pg, run_sqlite

TEST_SETTINGS = Settings(large_table_rows=100, large_offset=10_000)


def _snapshot(dialect: Dialect, url: str) -> SchemaModel:
    sa = url.replace("postgresql://", "postgresql+psycopg://").replace("mysql://", "mysql+pymysql://")
    with connect(TargetConfig("fixture", dialect, sa, None)) as conn:
        return introspect(conn, dialect)


@pytest.fixture(scope="session")
def fixture_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SchemaModel]:
    """Snapshots of the fixture schema per dialect (a dialect whose server is down is skipped or fails)."""
    models: dict[str, SchemaModel] = {}
    path = tmp_path_factory.mktemp("fixture") / "fixture.db"
    run_sqlite(str(path), *(s + ";" for s in fixture_ddl("sqlite") + fixture_rows("sqlite")))
    models["sqlite"] = _snapshot(Dialect.SQLITE, f"sqlite:///{path}")
    return models


@pytest.fixture(scope="session")
def pg_fixture_model() -> SchemaModel:
    with pg_database() as url:
        run_pg(url, *fixture_ddl("postgresql"), *fixture_rows("postgresql"))
        return _snapshot(Dialect.POSTGRESQL, url)


@pytest.fixture(scope="session")
def mariadb_fixture_model() -> SchemaModel:
    with mariadb_database() as url:
        run_mariadb(url, *fixture_ddl("mysql"), *fixture_rows("mysql"))
        return _snapshot(Dialect.MYSQL, url)


@pytest.fixture
def validator_for(request: pytest.FixtureRequest, fixture_models: dict[str, SchemaModel]):
    """validator_for(dialect) -> a Validator over that dialect's fixture snapshot."""

    def make(dialect: str) -> Validator:
        if dialect == "postgresql":
            model = request.getfixturevalue("pg_fixture_model")
        elif dialect == "mysql":
            model = request.getfixturevalue("mariadb_fixture_model")
        else:
            model = fixture_models["sqlite"]
        return Validator(SchemaIndex(model), settings=TEST_SETTINGS)

    return make
