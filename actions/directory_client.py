"""The one place the actions reach the service directory.

The engine is built on first use, not at import, and reused: the action server handles many
conversations and a new engine per message would waste connections.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from services_directory.db import database_url, make_engine, session_factory
from services_directory.search import SearchResult, find_services


@lru_cache(maxsize=1)
def _sessions() -> Any:
    return session_factory(make_engine(database_url()))


def search(topic: str | None, place: str | None, audience: str | None = None) -> SearchResult:
    with _sessions()() as session:
        return find_services(session, topic=topic, place=place, audience=audience, limit=5)
