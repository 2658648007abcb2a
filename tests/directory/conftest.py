"""Shared fixtures: real databases on both backends.

Every engine fixture is parametrised over SQLite (a temp file) and PostgreSQL (a throwaway
server started once per test session on 127.0.0.1). If PostgreSQL is not installed the
PostgreSQL cases FAIL with instructions, unless SIGNPOST_SKIP_POSTGRES=1.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from directory_pg import PgServer, find_pg_bin
from sqlalchemy.engine import Engine

from services_directory.cli import init_directory
from services_directory.db import make_engine, session_factory
from services_directory.migrate import upgrade_database
from services_directory.tabular import bundled_data_dir, import_directory

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


PG_MISSING = (
    "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). Install it "
    "(apt-get install -y postgresql, or `make setup`), or set SIGNPOST_SKIP_POSTGRES=1 "
    "to skip the PostgreSQL cases."
)


def _skip_postgres() -> bool:
    return os.environ.get("SIGNPOST_SKIP_POSTGRES") == "1"


def pytest_collection_modifyitems(config, items):
    """Without PostgreSQL, its cases must FAIL (not silently pass or skip) unless asked."""
    if _skip_postgres() or find_pg_bin() is not None:
        return
    for item in items:
        if item.get_closest_marker("postgres") is not None and "directory" in str(item.path):
            item.runtest = lambda: pytest.fail(PG_MISSING, pytrace=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    if _skip_postgres():
        pytest.skip("SIGNPOST_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    bin_dir = find_pg_bin()
    if bin_dir is None:
        yield None  # the test itself fails with PG_MISSING (see above)
        return
    server = PgServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def new_database_url(request, tmp_path_factory):
    """Factory for empty databases: new_database_url(backend) -> URL."""

    def make(backend: str) -> str | None:
        if backend == "sqlite":
            folder = tmp_path_factory.mktemp("sqlite")
            return f"sqlite:///{folder / 'directory.sqlite3'}"
        server = request.getfixturevalue("pg_server")
        return server.create_database() if server is not None else None

    return make


def _engine(url: str) -> Engine:
    return make_engine(url)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_engine(backend, new_database_url) -> Iterator[Engine | None]:
    """A freshly migrated database with no services."""
    url = new_database_url(backend)
    if url is None:
        yield None
        return
    engine = _engine(url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def data_engine(empty_engine) -> Engine | None:
    """Migrated and loaded with the bundled CSVs (no postcodes): safe to change."""
    if empty_engine is not None:
        report = import_directory(empty_engine, bundled_data_dir(), actor="test")
        assert report.errors == []
    return empty_engine


@pytest.fixture(scope="session", params=BACKENDS)
def loaded_engine(request, new_database_url) -> Iterator[Engine | None]:
    """Built once per backend by `directory init` (postcodes included). Read-only!"""
    url = new_database_url(request.param)
    if url is None:
        yield None
        return
    engine = _engine(url)
    init_directory(engine, out=io.StringIO())
    yield engine
    engine.dispose()


@pytest.fixture
def loaded_session(loaded_engine):
    if loaded_engine is None:
        yield None
        return
    with session_factory(loaded_engine)() as session:
        yield session


@pytest.fixture
def csv_copy(tmp_path) -> Path:
    """A writable copy of the bundled CSVs."""
    target = tmp_path / "hsds"
    shutil.copytree(bundled_data_dir(), target)
    return target
