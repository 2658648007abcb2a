"""Fixtures for the staff admin and the read API: the real web front app, real databases.

A loaded directory (migrations, postcodes, bundled services, a staff account and two test
locations, one of them confidential) is built once per backend and copied for every test (a
file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so each test may write.
PostgreSQL cases run on a throwaway server (tests/directory/directory_pg.py) and FAIL when it
is missing unless SIGNPOST_SKIP_POSTGRES=1, like the directory suite.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from admin_support import (
    LOCATION_SERVICE,
    OTHER_EMAIL,
    OTHER_TOTP_SECRET,
    PUBLIC_LOCATION,
    SECRET_LOCATION,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    STAFF_TOTP_SECRET,
)
from flask import Flask
from flask.testing import FlaskClient

from bot.settings import Settings
from bot.webfront import create_app
from bot.webfront.config import WebfrontConfig
from services_directory.admin import init_admin
from services_directory.admin_views.config import AdminConfig
from services_directory.api import init_api

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _directory_pg():
    """tests/directory/directory_pg.py, shared rather than copied."""
    if "directory_pg" in sys.modules:
        return sys.modules["directory_pg"]
    path = Path(__file__).resolve().parents[1] / "directory" / "directory_pg.py"
    spec = importlib.util.spec_from_file_location("directory_pg", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["directory_pg"] = module
    spec.loader.exec_module(module)
    return module


def _skip_postgres() -> bool:
    return os.environ.get("SIGNPOST_SKIP_POSTGRES") == "1"


@pytest.fixture(scope="session")
def admin_pg_server():
    if _skip_postgres():
        pytest.skip("SIGNPOST_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    pg = _directory_pg()
    bin_dir = pg.find_pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
                    "install it (`make setup`) or set SIGNPOST_SKIP_POSTGRES=1", pytrace=False)
    server = pg.PgServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


def _seed(url: str) -> None:
    """Migrate, load, and add what the tests need beyond the bundled data."""
    from services_directory.cli import init_directory
    from services_directory.db import make_engine, session_factory
    from services_directory.models import Location, ServiceAtLocation
    from services_directory.staff import create_staff_account, set_totp_secret

    engine = make_engine(url)
    try:
        init_directory(engine, out=io.StringIO())
        with session_factory(engine)() as session:
            create_staff_account(session, STAFF_EMAIL, STAFF_PASSWORD, actor="test")
            create_staff_account(session, OTHER_EMAIL, STAFF_PASSWORD, actor="test")
            set_totp_secret(session, STAFF_EMAIL, STAFF_TOTP_SECRET, actor="test")
            set_totp_secret(session, OTHER_EMAIL, OTHER_TOTP_SECRET, actor="test")
        with session_factory(engine)() as session, session.begin():
            session.add(Location(**PUBLIC_LOCATION, organization_id="org-refuge",
                                 city="London", borough_code="E09000023", latitude=51.44,
                                 longitude=-0.02, confidential=False))
            session.add(Location(**SECRET_LOCATION, organization_id="org-refuge",
                                 borough_code="E09000023", confidential=True))
            for location in (PUBLIC_LOCATION, SECRET_LOCATION):
                session.add(ServiceAtLocation(id=f"sal-{location['id']}",
                                              service_id=LOCATION_SERVICE,
                                              location_id=location["id"]))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def template_sqlite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("admin-template") / "directory.sqlite3"
    _seed(f"sqlite:///{path}")
    from services_directory.db import make_engine

    engine = make_engine(f"sqlite:///{path}")  # fold the WAL back into the file to copy it
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def template_postgres(request) -> str:
    server = request.getfixturevalue("admin_pg_server")
    url = server.create_database(prefix="admintmpl")
    _seed(url)
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, request, tmp_path) -> str:
    """A private, fully loaded directory for one test."""
    if backend == "sqlite":
        target = tmp_path / "directory.sqlite3"
        shutil.copyfile(request.getfixturevalue("template_sqlite"), target)
        return f"sqlite:///{target}"
    template = request.getfixturevalue("template_postgres")
    server = request.getfixturevalue("admin_pg_server")
    import psycopg2

    name = f"admin_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(host="127.0.0.1", port=server.port, user="postgres",
                            dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    conn.close()
    return server.url(name)


def make_settings() -> Settings:
    return Settings(session_ttl_seconds=1800, max_message_chars=1000, reply_timeout_seconds=1.8,
                    sender_hash_key=b"test-key", webfront_token="test-token",
                    rasa_url="http://127.0.0.1:9", rate_limit_per_minute=20)


def admin_config(**overrides) -> AdminConfig:
    values = {"secret_key": "test-secret-key-" + "x" * 32, "login_attempts": 50}
    values.update(overrides)
    return AdminConfig(**values)


@dataclass
class Site:
    """The web front with the directory API and admin mounted, as `python -m bot.webfront`."""

    app: Flask
    url: str

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def sessions(self):
        """A session factory on the site's own database, to check what was written."""
        return self.app.extensions["signpost_directory_db"].sessions()


SiteFactory = Callable[..., Site]


@pytest.fixture
def make_site(db_url) -> Iterator[SiteFactory]:
    built: list[Site] = []

    def build(**config_overrides) -> Site:
        config = admin_config(**config_overrides)

        def mount(app: Flask) -> None:
            init_api(app, db_url)
            init_admin(app, db_url, config=config)

        app = create_app(make_settings(), webfront=WebfrontConfig(), extra_setup=mount)
        app.testing = True
        site = Site(app, db_url)
        built.append(site)
        return site

    yield build
    for site in built:
        site.app.extensions["signpost_directory_db"].dispose()


@pytest.fixture
def site(make_site) -> Site:
    return make_site()
