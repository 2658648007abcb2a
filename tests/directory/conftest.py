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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if os.environ.get("SIGNPOST_SKIP_POSTGRES") == "1":
        pytest.skip("SIGNPOST_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). Install it "
            "(apt-get install -y postgresql, or `make setup`), or set SIGNPOST_SKIP_POSTGRES=1 "
            "to skip the PostgreSQL cases.",
            pytrace=False,
        )
    server = PgServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def new_database_url(request, tmp_path_factory):
    """Factory for empty databases: new_database_url(backend) -> URL."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            folder = tmp_path_factory.mktemp("sqlite")
            return f"sqlite:///{folder / 'directory.sqlite3'}"
        return request.getfixturevalue("pg_server").create_database()

    return make


def _engine(url: str) -> Engine:
    return make_engine(url)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_engine(backend, new_database_url) -> Iterator[Engine]:
    """A freshly migrated database with no services."""
    engine = _engine(new_database_url(backend))
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def data_engine(empty_engine) -> Engine:
    """Migrated and loaded with the bundled CSVs (no postcodes): safe to change."""
    report = import_directory(empty_engine, bundled_data_dir(), actor="test")
    assert report.errors == []
    return empty_engine


@pytest.fixture(scope="session", params=BACKENDS)
def loaded_engine(request, new_database_url) -> Iterator[Engine]:
    """Built once per backend by `directory init` (postcodes included). Read-only!"""
    engine = _engine(new_database_url(request.param))
    init_directory(engine, out=io.StringIO())
    yield engine
    engine.dispose()


@pytest.fixture
def loaded_session(loaded_engine):
    with session_factory(loaded_engine)() as session:
        yield session


@pytest.fixture
def csv_copy(tmp_path) -> Path:
    """A writable copy of the bundled CSVs."""
    target = tmp_path / "hsds"
    shutil.copytree(bundled_data_dir(), target)
    return target
