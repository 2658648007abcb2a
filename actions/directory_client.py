"""The one place the actions reach the service directory.

The engine is built on first use, not at import, and reused: the action server handles many
conversations and a new engine per message would waste connections.
"""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import QueuePool

from services_directory.asker import Asker
from services_directory.db import database_url, make_engine, session_factory
from services_directory.search import SearchResult, find_services


@lru_cache(maxsize=1)
def _sessions() -> Any:
    url = database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return session_factory(make_engine(url))
    # SQLAlchemy 1.4 opens a new SQLite connection for every search by default, runs its
    # pragmas and starts with a cold page cache: over half of a search's CPU (1.8 -> 0.8 ms a
    # search measured on the bench mix's topics and places). Two are kept open instead. The
    # action server runs actions on one thread, and each search is its own transaction, so it
    # sees what staff committed since (WAL). A kept connection still reads the file it opened:
    # if the file at the path is replaced or removed (a restored backup; tests/e2e's "database
    # down"), the connection is dropped at its next use and a new one opens what is there now,
    # as a new connection per search always did.
    engine = make_engine(url, poolclass=QueuePool, pool_size=2,
                         connect_args={"check_same_thread": False})
    path = Path(str(parsed.database)).expanduser()
    event.listen(engine, "connect", partial(_remember_file, path))
    event.listen(engine, "checkout", partial(_same_file_or_reconnect, path))
    return session_factory(engine)


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _remember_file(path: Path, _dbapi_connection: Any, record: Any) -> None:
    record.info["file"] = _file_id(path)


def _same_file_or_reconnect(path: Path, _dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    current = _file_id(path)
    if current is None or current != record.info.get("file"):
        raise DisconnectionError("the directory file was replaced")  # the pool reconnects


# Before a place is known only the lines that help anywhere are shown: a few, so a phone's
# screen (or an SMS inbox) is not flooded before the person has asked for more.
LIMIT_WITH_PLACE = 5
LIMIT_WITHOUT_PLACE = 3


def search(topic: str | None, place: str | None, asker: Asker | None = None) -> SearchResult:
    """Search for `topic` near `place`, fitted to who is asking (services_directory.asker)."""
    limit = LIMIT_WITH_PLACE if place else LIMIT_WITHOUT_PLACE
    with _sessions()() as session:
        return find_services(session, topic=topic, place=place, asker=asker, limit=limit)
