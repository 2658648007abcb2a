"""One message at a time per conversation, across every replica.

Rasa's RedisLockStore reads a ticket list, changes it and writes it back in separate commands,
so two processes on one conversation lose tickets and stall (issue 11: 80 of 200 runs). This
store uses redis-py's own Lock (an atomic SET NX PX, released by a compare-and-delete script),
which held 200 of 200.

It also notes how many times the conversation had been deleted when the message was admitted
(the `gone` counter, bot.stores.keys). The tracker store saves only if that count is unchanged,
so a message that was already waiting when the person left cannot write the conversation back.

While Redis is away a message goes ahead without the lock: there is no shared conversation to
protect then, and the person must still get an answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore

from bot.stores.config import RedisSettings
from bot.stores.keys import Keys
from bot.stores.redis_client import Breaker, RedisUnavailable, async_client, breaker_for, redis_errors

logger = logging.getLogger(__name__)

# (conversation key, delete count when admitted or None if unknown), for the message being
# handled in this task. Rasa's processor saves the tracker in the same task as the lock.
_ADMITTED: ContextVar[tuple[str, int | None] | None] = ContextVar("signpost_admitted", default=None)


def arrival_epoch(sender: str) -> int | None:
    """The delete count when the current message for `sender` was admitted, if known."""
    admitted = _ADMITTED.get()
    if admitted is None or admitted[0] != sender:
        return None
    return admitted[1]


class AtomicRedisLockStore(LockStore):
    def __init__(self, redis: RedisSettings, client: Any = None) -> None:
        super().__init__()
        self.redis = redis
        self.keys = Keys(redis.key_prefix)
        self._client = client
        self._breaker: Breaker = breaker_for(redis)
        self._errors = redis_errors()

    def _redis(self) -> Any:
        if self._client is None:
            self._client = async_client(self.redis)
        return self._client

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[None]:
        """Held for at most `lock_lifetime` (Rasa's), but in Redis only for a few seconds at a
        time, renewed while this process is working: a replica that dies mid-message frees
        its conversations within `lock_ttl_seconds`, not a minute later."""
        held, epoch = await self._acquire(conversation_id)
        admitted = _ADMITTED.set((conversation_id, epoch))
        renewal = None if held is None else asyncio.ensure_future(self._renew(held, lock_lifetime))
        try:
            yield None
        finally:
            _ADMITTED.reset(admitted)
            if renewal is not None:
                renewal.cancel()
            if held is not None:
                await self._release(held)

    async def _renew(self, held: Any, lifetime: float) -> None:
        deadline = asyncio.get_running_loop().time() + lifetime
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(self.redis.lock_ttl_seconds / 3)
            try:
                await held.reacquire()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # lost or Redis away: the generation check still holds
                logger.info("conversation lock not renewed: %s", type(error).__name__)
                return

    async def _acquire(self, conversation_id: str) -> tuple[Any, int | None]:
        try:
            self._breaker.check()
            client = self._redis()
            epoch = int(await client.get(self.keys.gone(conversation_id)) or 0)
            held = client.lock(self.keys.lock(conversation_id), timeout=self.redis.lock_ttl_seconds,
                               sleep=0.02, blocking_timeout=self.redis.lock_wait_seconds,
                               thread_local=False)
            acquired = await held.acquire()
        except self._errors as error:
            if not isinstance(error, RedisUnavailable):
                self._breaker.failed(error)
            return None, None
        self._breaker.succeeded()
        if not acquired:
            # Another message of this conversation has held it for lock_wait_seconds: this one
            # gets the fallback (999 first when it signals danger) rather than waiting on.
            raise LockError("conversation busy")
        return held, epoch

    async def _release(self, held: Any) -> None:
        try:
            await held.release()
        except Exception as error:  # expired meanwhile, or Redis away: it expires on its own
            logger.info("conversation lock not released: %s", type(error).__name__)

    # Rasa's ticket-lock interface is not used: every caller goes through lock() above.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("use lock()")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("use lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("use lock()")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            await self._client.connection_pool.disconnect()


class ConfiguredLockStore(LockStore):
    """What endpoints.yml names: the atomic Redis lock when REDIS_URL is set, else in memory."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        from bot.config import current

        try:
            redis = current().store
            if redis is None:
                return InMemoryLockStore()
            return AtomicRedisLockStore(redis)
        except (AttributeError, ImportError) as error:
            raise RuntimeError(f"lock store could not be set up: {type(error).__name__}") from error
