"""Conversations in Redis, for several Rasa replicas: they expire, exit deletes them, and a late
save can never bring a deleted one back.

Rasa's own RedisTrackerStore was measured unfit (issue 11): a synchronous client with no
timeout (a stalled Redis stops the event loop, so no one on that replica gets an answer, danger
included), no delete, and a read-merge-write save that resurrects a deleted conversation.

Here:
- expiry: every save resets the key's TTL to SESSION_TTL_SECONDS, so silence deletes it;
- exit: one Lua script deletes the conversation and all its channel state and bumps a
  per-conversation delete counter (`gone`, kept for a session's length);
- no resurrection: a save is accepted only if the conversation is still the generation that
  was read, and only if no delete happened since the message began (the counter as it was when
  the lock store admitted the message, see bot.stores.locks). Both checks and the write are one
  Lua script, so nothing can slip between them;
- failure: redis.asyncio with short timeouts behind a breaker; nothing here ever raises, so
  Rasa's FailSafeTrackerStore never falls back to its unbounded, never-deleted in-memory
  store. While Redis is away the conversation is answered without memory and kept nowhere.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

from bot.stores.config import RedisSettings
from bot.stores.keys import Keys
from bot.stores.locks import arrival_epoch
from bot.stores.redis_client import Breaker, RedisUnavailable, async_client, breaker_for, redis_errors

logger = logging.getLogger(__name__)

QUICK_EXIT_INTENT = "quick_exit"
DEFAULT_TTL_SECONDS = 1800
# The generation a tracker was read at travels with the tracker object through Rasa's
# processor (it saves the very object it retrieved).
_GENERATION = "_signpost_generation"

# Exits waiting for Redis to come back (conversation keys only).
MAX_PENDING_DELETES = 10_000

REFUSED_DELETED = -1
REFUSED_EXISTS = -2
REFUSED_CHANGED = -3

# KEYS: conversation, gone. ARGV: tracker JSON, generation read ('' = not read from here),
# delete count when the message began ('' = unknown), TTL seconds.
SAVE_SCRIPT = """
local gone = redis.call('GET', KEYS[2]) or '0'
if ARGV[3] ~= '' then
  if ARGV[3] ~= gone then return -1 end
elseif gone ~= '0' and ARGV[2] == '' then
  return -1
end
local current = redis.call('HGET', KEYS[1], 'g')
if ARGV[2] == '' then
  if current then return -2 end
elseif current ~= ARGV[2] then
  if current then return -3 end
  return -1
end
local generation = (tonumber(current) or 0) + 1
redis.call('HSET', KEYS[1], 't', ARGV[1], 'g', generation)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return generation
"""

# KEYS: conversation, gone, then every other key of the conversation. ARGV: TTL of `gone`.
DELETE_SCRIPT = """
local existed = redis.call('EXISTS', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))
redis.call('DEL', KEYS[1], unpack(KEYS, 3))
return existed
"""


class RedisTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(
        self,
        domain: Domain | None,
        redis: RedisSettings,
        event_broker: EventBroker | None = None,
        ttl_seconds: int | None = None,
        client: Any = None,
        **kwargs: Any,
    ) -> None:
        if event_broker is not None:
            # An event broker would copy every message somewhere that exit cannot reach.
            raise RuntimeError("an event broker is not supported with the Redis tracker store")
        kwargs.pop("host", None)
        super().__init__(domain, None, **kwargs)
        self.redis = redis
        self.keys_ = Keys(redis.key_prefix)
        self.ttl_seconds = int(ttl_seconds or DEFAULT_TTL_SECONDS)
        self._client = client
        self._breaker: Breaker = breaker_for(redis)
        self._errors = redis_errors()
        self._save_script: Any = None
        self._delete_script: Any = None
        self._pending_deletes: OrderedDict[str, None] = OrderedDict()

    # ---- plumbing ---------------------------------------------------------------------------
    def _redis(self) -> Any:
        """Made on first use, on the loop that serves messages (never at import or start-up)."""
        if self._client is None:
            self._client = async_client(self.redis)
        if self._save_script is None:
            self._save_script = self._client.register_script(SAVE_SCRIPT)
            self._delete_script = self._client.register_script(DELETE_SCRIPT)
        return self._client

    async def _call(self, operation: Any) -> Any:
        """Every Redis call goes through here: exits that waited for Redis go first, so no
        one can read a conversation whose person left while Redis was away."""
        self._breaker.check()
        try:
            while self._pending_deletes:
                sender_id = next(iter(self._pending_deletes))
                await self._run_delete(sender_id)
                self._pending_deletes.pop(sender_id, None)
            result = await operation()
        except self._errors as error:
            if not isinstance(error, RedisUnavailable):
                self._breaker.failed(error)
            raise RedisUnavailable from None
        self._breaker.succeeded()
        return result

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            await self._client.connection_pool.disconnect()

    # ---- Rasa's interface -------------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Never raises: a failed save is dropped (the reply still goes out), never parked in
        memory."""
        try:
            if tracker.latest_message and tracker.latest_message.intent.get("name") == QUICK_EXIT_INTENT:
                await self.delete(tracker.sender_id)
                return
            await self._save(tracker)
        except RedisUnavailable:
            return
        except Exception as error:  # a bug here must not reach FailSafeTrackerStore's fallback
            logger.error("conversation not saved: %s", type(error).__name__)

    async def _save(self, tracker: DialogueStateTracker) -> None:
        sender = tracker.sender_id
        generation = getattr(tracker, _GENERATION, None)
        epoch = arrival_epoch(sender)
        body = self.serialise_tracker(tracker)

        async def run() -> Any:
            client = self._redis()
            return await self._save_script(
                keys=[self.keys_.conversation(sender), self.keys_.gone(sender)],
                args=[body, "" if generation is None else str(generation),
                      "" if epoch is None else str(epoch), self.ttl_seconds],
                client=client)

        result = int(await self._call(run))
        if result > 0:
            setattr(tracker, _GENERATION, result)
            return
        # Refused: deleted since the message began, or changed by another writer. Forget the
        # generation too, so this object can never be saved over a newer conversation.
        setattr(tracker, _GENERATION, -1)
        reason = {REFUSED_DELETED: "deleted since this message began",
                  REFUSED_EXISTS: "another copy exists",
                  REFUSED_CHANGED: "changed by another replica"}.get(result, "refused")
        logger.info("conversation not saved: %s", reason)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._retrieve(sender_id, full=False)

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._retrieve(sender_id, full=True)

    async def _retrieve(self, sender_id: str, *, full: bool) -> DialogueStateTracker | None:
        """None when there is none, and when Redis is away (the reply goes on without memory)."""
        try:
            stored, generation = await self._call(
                lambda: self._redis().hmget(self.keys_.conversation(sender_id), "t", "g"))
        except RedisUnavailable:
            return None
        if stored is None or generation is None:
            return None
        try:
            tracker = self.deserialise_tracker(sender_id, stored)
        except (ValueError, KeyError, TypeError) as error:
            logger.error("stored conversation unreadable: %s", type(error).__name__)
            return None
        if tracker is None:
            return None
        if not full:
            # Only the current session is handed out, and so only it is written back: an older
            # session is not kept once a new one begins.
            sessions = get_trackers_for_conversation_sessions(tracker)
            tracker = sessions[-1] if sessions else tracker
        setattr(tracker, _GENERATION, int(generation))
        return tracker

    async def keys(self) -> Iterable[str]:
        start = len(self.keys_.conversation(""))
        try:
            async def scan() -> list[str]:
                found = []
                async for key in self._redis().scan_iter(match=self.keys_.conversation_pattern(),
                                                         count=500):
                    found.append(key.decode() if isinstance(key, bytes) else key)
                return found
            return [key[start:] for key in await self._call(scan)]
        except RedisUnavailable:
            return []

    async def delete(self, sender_id: str) -> bool:
        """Forget a conversation and all its channel state at once; True when there was one.

        Never raises, so exit always answers. While Redis is away the delete is remembered (the
        conversation key only, a keyed hash) and sent as soon as Redis answers again: a command
        already on the wire may still run when a frozen Redis wakes, and a save that wakes with
        it is refused by the delete count, so the retry makes the exit stick.
        """
        try:
            existed = await self._delete_now(sender_id)
        except RedisUnavailable:
            self._pending_deletes[sender_id] = None
            self._pending_deletes.move_to_end(sender_id)
            while len(self._pending_deletes) > MAX_PENDING_DELETES:
                self._pending_deletes.popitem(last=False)
            logger.warning("exit could not reach Redis: the delete will be retried")
            return False
        return existed

    async def _delete_now(self, sender_id: str) -> bool:
        return bool(await self._call(lambda: self._run_delete(sender_id)))

    async def _run_delete(self, sender_id: str) -> Any:
        keys = [self.keys_.conversation(sender_id), self.keys_.gone(sender_id),
                *self.keys_.everything_of(sender_id)[1:]]
        client = self._redis()
        return await self._delete_script(keys=keys, args=[self.ttl_seconds], client=client)

    @property
    def pending_deletes(self) -> int:
        return len(self._pending_deletes)

    def deserialise_tracker(self, sender_id: str, serialised_tracker: str | bytes) -> DialogueStateTracker | None:
        if isinstance(serialised_tracker, bytes):
            serialised_tracker = serialised_tracker.decode("utf-8")
        json.loads(serialised_tracker)  # a clear ValueError for a damaged record
        return super().deserialise_tracker(sender_id, serialised_tracker)


class ConfiguredTrackerStore(TrackerStore):
    """What endpoints.yml names: Redis when REDIS_URL is set, else the in-memory store.

    Rasa silently replaces a custom store that fails to import with an in-memory one that never
    forgets; every failure here is turned into one that stops the start instead. Rasa builds it
    from endpoints.yml, so this is where the store and channels sections are handed to it.
    """

    def __new__(cls, domain: Domain | None = None, event_broker: EventBroker | None = None,
                **kwargs: Any) -> TrackerStore:  # type: ignore[misc]
        from bot.config import current

        try:
            config = current()
            redis, ttl = config.store, config.channels.session_ttl_seconds
            if redis is None:
                from bot.tracker_store import ForgetfulTrackerStore

                return ForgetfulTrackerStore(domain, event_broker, ttl_seconds=ttl, **kwargs)
            logger.info("conversations are kept in Redis at %s", redis.redacted_url())
            return RedisTrackerStore(domain, redis, event_broker=event_broker, ttl_seconds=ttl,
                                     **kwargs)
        except (AttributeError, ImportError) as error:
            raise RuntimeError(f"tracker store could not be set up: {type(error).__name__}") from error
