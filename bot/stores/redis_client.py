"""Redis clients with short timeouts, and a breaker that stops asking a Redis that is away.

Both clients (redis.asyncio for Rasa's stores, the synchronous one for channel state whose
interfaces are synchronous) time out in a fraction of a second. After a failure every call
fails at once for `retry_after_seconds`, so a frozen Redis costs one short timeout per
interval, not one per call: danger still gets its answer within the reply timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from bot.stores.config import RedisSettings

logger = logging.getLogger(__name__)


class RedisUnavailable(Exception):
    """Redis is away (or was a moment ago); the caller degrades instead of waiting."""


class Breaker:
    """Shared by every store in a process that talks to the same Redis."""

    def __init__(self, retry_after_seconds: float, clock: Any = time.monotonic) -> None:
        self.retry_after = retry_after_seconds
        self._clock = clock
        self._open_until = float("-inf")
        self._lock = threading.Lock()
        self._warned_at = float("-inf")

    def check(self) -> None:
        if self._clock() < self._open_until:
            raise RedisUnavailable

    def failed(self, error: BaseException) -> None:
        now = self._clock()
        with self._lock:
            self._open_until = now + self.retry_after
            if now - self._warned_at >= 60:
                self._warned_at = now
                # The type only: a redis error message can quote a key.
                logger.warning("Redis unavailable (%s): answering without it, retrying every %.1fs",
                               type(error).__name__, self.retry_after)

    def succeeded(self) -> None:
        self._open_until = float("-inf")

    @property
    def is_open(self) -> bool:
        return self._clock() < self._open_until


_breakers: dict[str, Breaker] = {}
_sync_clients: dict[str, Any] = {}
_guard = threading.Lock()


def breaker_for(settings: RedisSettings) -> Breaker:
    with _guard:
        breaker = _breakers.get(settings.url)
        if breaker is None:
            breaker = _breakers[settings.url] = Breaker(settings.retry_after_seconds)
        return breaker


def _options(settings: RedisSettings, retry: Any) -> dict[str, Any]:
    """A broken connection (Redis restarted) is retried once on a new one; a timeout is not
    (a frozen Redis must cost one timeout, not two)."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    return {
        "socket_timeout": settings.socket_timeout_seconds,
        "socket_connect_timeout": settings.connect_timeout_seconds,
        "retry_on_timeout": False,
        "retry": retry(NoBackoff(), 1),
        "retry_on_error": [RedisConnectionError],
        "health_check_interval": 0,
        "client_name": "signpost",
    }


def sync_client(settings: RedisSettings) -> Any:
    """One thread-safe client (its own pool) per URL per process."""
    import redis
    from redis.retry import Retry

    with _guard:
        client = _sync_clients.get(settings.url)
        if client is None:
            client = _sync_clients[settings.url] = redis.Redis.from_url(
                settings.url, max_connections=64, **_options(settings, Retry))
        return client


def async_client(settings: RedisSettings) -> Any:
    """A new asyncio client; its connections are made on the loop that first uses them."""
    import redis.asyncio
    from redis.asyncio.retry import Retry

    return redis.asyncio.Redis.from_url(settings.url, max_connections=256,
                                        **_options(settings, Retry))


def redis_errors() -> tuple[type[BaseException], ...]:
    """What counts as "Redis is away": connection and timeout errors from either client."""
    import asyncio

    import redis.exceptions

    # Any Redis error: a read-only replica or an out-of-memory refusal must degrade the same way.
    return (redis.exceptions.RedisError, OSError, asyncio.TimeoutError, RedisUnavailable)
