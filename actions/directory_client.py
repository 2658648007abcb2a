"""The one place the actions reach the service directory.

The engine is built on first use, not at import, and reused: the action server handles many
conversations and a new engine per message would waste connections.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from services_directory.asker import Asker
from services_directory.db import database_url, make_engine, session_factory
from services_directory.search import SearchResult, find_services


@lru_cache(maxsize=1)
def _sessions() -> Any:
    url = database_url()
    options: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "sqlite" and make_url(url).database not in (None, "", ":memory:"):
        # SQLAlchemy 1.4 opens a new SQLite connection for every search by default, runs its
        # pragmas and starts with a cold page cache: over half of a search's CPU (1.8 -> 0.8
        # ms a search measured on the bench mix's topics and places). Keeping two open is safe: the
        # action server runs actions on one thread, each search is its own transaction (so it
        # sees what staff committed since, under WAL), and the file is never replaced while
        # the server runs (`directory init` rebuilds tables inside it).
        options = {"poolclass": QueuePool, "pool_size": 2,
                   "connect_args": {"check_same_thread": False}}
    return session_factory(make_engine(url, **options))


# Before a place is known only the lines that help anywhere are shown: a few, so a phone's
# screen (or an SMS inbox) is not flooded before the person has asked for more.
LIMIT_WITH_PLACE = 5
LIMIT_WITHOUT_PLACE = 3


def search(topic: str | None, place: str | None, asker: Asker | None = None) -> SearchResult:
    """Search for `topic` near `place`, fitted to who is asking (services_directory.asker)."""
    limit = LIMIT_WITH_PLACE if place else LIMIT_WITHOUT_PLACE
    with _sessions()() as session:
        return find_services(session, topic=topic, place=place, asker=asker, limit=limit)
