"""Shared fixtures: settings on temporary stores, real servers, the Copilot."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.bootstrap import build_copilot
from core.crypto import generate_key
from core.service import Copilot
from core.settings import Settings
from tests.support.servers import mariadb_database, pg_database, store_url_for_pg

_ENV_PREFIXES = ("SQLDRAFT_", "OPENAI_", "SLACK_")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the developer's shell or .env; each test runs in its own folder."""
    for key in list(os.environ):
        if key.startswith(_ENV_PREFIXES) and key not in (
            "SQLDRAFT_REQUIRE_SERVICES",
            "SQLDRAFT_TEST_PG",
            "SQLDRAFT_TEST_MARIADB_HOST",
            "SQLDRAFT_TEST_MARIADB_PORT",
        ):
            monkeypatch.delenv(key)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("SQLDRAFT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # `sqldraft init` writes its config file here


@pytest.fixture
def secret_key() -> str:
    return generate_key()


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def pg_store_url() -> Iterator[str]:
    with pg_database() as url:
        yield store_url_for_pg(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store on each supported backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with pg_database() as url:
            yield store_url_for_pg(url)


def make_settings(store_url: str, secret_key: str | None, tmp_path: Path, **extra: object) -> Settings:
    return Settings(store_url=store_url, secret_key=secret_key, data_dir=tmp_path / "data", **extra)


@pytest.fixture
def settings(sqlite_store_url: str, secret_key: str, tmp_path: Path) -> Settings:
    return make_settings(sqlite_store_url, secret_key, tmp_path)


@pytest.fixture
def copilot(settings: Settings) -> Iterator[Copilot]:
    c = build_copilot(settings)
    yield c
    c.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL target database."""
    with pg_database() as url:
        yield url


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh, empty MariaDB target database."""
    with mariadb_database() as url:
        yield url


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, sqlite_store_url: str, secret_key: str) -> dict[str, str]:
    """Environment for in-process CLI runs against a temporary SQLite store."""
    env = {"SQLDRAFT_STORE_URL": sqlite_store_url, "SQLDRAFT_SECRET_KEY": secret_key}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture
def fake_llm():
    from tests.support.fake_llm import FakeLLM

    with FakeLLM() as fake:
        yield fake


@pytest.fixture
def shop_copilot_factory(tmp_path: Path, secret_key: str):
    """make(**settings) -> a Copilot over a fresh store with the demo shop database registered and snapshotted."""
    from core.demo import create_sample_database

    made: list[Copilot] = []

    def make(**extra: object) -> Copilot:
        db = create_sample_database(tmp_path / f"shop{len(made)}.db")
        settings = make_settings(f"sqlite:///{tmp_path / f'store{len(made)}.db'}", secret_key, tmp_path, **extra)
        c = build_copilot(settings)
        c.add_connection("shop", f"sqlite:///{db}")
        c.refresh_snapshot("shop")
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
