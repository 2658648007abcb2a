"""Run the directory's alembic migrations from code.

The script location is found from this package, not the working directory, so `signpost
directory init`, the tests and the admin all migrate the same way from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from services_directory.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_database(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Bring the schema up to `revision`; a no-op when it is already there."""
    owns_engine = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if owns_engine else engine_or_url
    try:
        if revision == "head" and current_revision(engine) == head_revision():
            return
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.connect() as conn:
            _run_without_sqlite_foreign_keys(conn, lambda: command.upgrade(config, revision),
                                             config)
    finally:
        if owns_engine:
            engine.dispose()


def _run_without_sqlite_foreign_keys(conn: Connection, migrate: Callable[[], None],
                                     config: Config) -> None:
    """Run `migrate` in one transaction on `conn`.

    SQLite changes a column by copying the table and dropping the old one; with foreign keys
    on, that DROP deletes every row that points at the table (ON DELETE CASCADE). The pragma
    only takes effect outside a transaction, so it is switched off first, every reference is
    checked before the commit, and it is switched back on for whoever uses the connection next.
    """
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
    try:
        with conn.begin():
            config.attributes["connection"] = conn
            migrate()
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken reference(s), "
                                       f"first: {tuple(broken[0])}; nothing was changed")
    finally:
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


class SchemaOutOfDate(RuntimeError):
    """The database predates this code; the fix is `signpost directory init`."""


def check_schema_current(engine: Engine) -> None:
    """Call at start-up (the bot, the admin) to fail with a clear message, not mid-chat."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"directory database {engine.url!r} is at revision {current}, the code expects "
            f"{head}: run `signpost directory init`"
        )
