"""Alembic environment for the directory.

Runs on a connection handed over by `upgrade_database` (config.attributes["connection"]),
or on `sqlalchemy.url` when alembic is run by hand. SQLite gets batch mode, because it cannot
ALTER most things in place.
"""

from __future__ import annotations

from alembic import context

from services_directory.db import make_engine
from services_directory.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # See migrate._run_without_sqlite_foreign_keys: a table rebuild must not
                # cascade-delete the rows that point at it. This connection is thrown away.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
