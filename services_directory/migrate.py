"""Run the directory's alembic migrations from code.

The script location is found from this package, not the working directory, so `signpost
directory init`, the tests and the admin all migrate the same way from anywhere.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

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
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        if owns_engine:
            engine.dispose()


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
