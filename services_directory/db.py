"""Where the directory database lives and how connections to it are set up.

Nothing here runs at import time: the bot, the CLI, the admin and the tests each build their
own engine, so a test can point at a throwaway database without touching the real one.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session, sessionmaker

from services_directory.settings import directory_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """DATABASE_URL wins, so production can move to PostgreSQL without code changes (the
    directory section of the one configuration, bot.config)."""
    return directory_settings().database_url


def _ensure_sqlite_folder(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked on every connection; WAL lets readers
    (the bot) keep going while staff write."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | URL | None = None, **kwargs) -> Engine:
    """Build an engine with the per-backend settings the directory relies on."""
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_folder(parsed)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def session_factory(engine: Engine) -> sessionmaker:
    """One Session per unit of work; expire_on_commit off so results outlive the session.

    Sessions from here keep the derived search table in step with every commit.
    """
    from services_directory.search_index import install_hooks

    maker = sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)
    install_hooks(maker)
    return maker
