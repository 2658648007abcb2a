"""The one place the actions reach the service directory.

The engine is built on first use, not at import, and reused: the action server handles many
conversations and a new engine per message would waste connections.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from services_directory.asker import Asker
from services_directory.db import database_url, make_engine, session_factory
from services_directory.search import SearchResult, find_services


@lru_cache(maxsize=1)
def _sessions() -> Any:
    return session_factory(make_engine(database_url()))


# Before a place is known only the lines that help anywhere are shown: a few, so a phone's
# screen (or an SMS inbox) is not flooded before the person has asked for more.
LIMIT_WITH_PLACE = 5
LIMIT_WITHOUT_PLACE = 3


def search(topic: str | None, place: str | None, asker: Asker | None = None) -> SearchResult:
    """Search for `topic` near `place`, fitted to who is asking (services_directory.asker)."""
    limit = LIMIT_WITH_PLACE if place else LIMIT_WITHOUT_PLACE
    with _sessions()() as session:
        return find_services(session, topic=topic, place=place, asker=asker, limit=limit)
