"""The Redis tracker store against a real redis-server: expiry, delete on exit, no late save
bringing a conversation back, and nothing kept in memory while Redis is away."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.replicas.processes import RedisServer
from bot.stores.config import RedisSettings
from bot.stores.locks import AtomicRedisLockStore
from bot.stores.redis_tracker import RedisTrackerStore
from tests.support.redis_server import everything_in

KEY = "web-0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load("domain.yml")


def said(tracker: DialogueStateTracker, text: str, intent: str = "find_support") -> None:
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, {"name": intent, "confidence": 1.0}))


def place_of(tracker: DialogueStateTracker | None) -> Any:
    return None if tracker is None else tracker.get_slot("location")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_conversation_round_trips_with_its_slots_and_expires(
        domain: Domain, redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    async def scenario() -> None:
        store = RedisTrackerStore(domain, redis_settings, ttl_seconds=2)
        tracker = await store.get_or_create_tracker(KEY)
        said(tracker, "I live in Lewisham")
        tracker.update(SlotSet("location", "Lewisham"))
        await store.save(tracker)
        again = await store.retrieve(KEY)
        assert place_of(again) == "Lewisham"
        assert list(await store.keys()) == [KEY]
        await store.close()

    run(scenario())
    time.sleep(3.2)
    assert everything_in(redis_server) == {}


def test_exit_deletes_and_a_late_save_of_the_old_copy_is_refused(
        domain: Domain, redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    async def scenario() -> None:
        store = RedisTrackerStore(domain, redis_settings, ttl_seconds=60)
        first = await store.get_or_create_tracker(KEY)
        said(first, "my ex follows me")
        first.update(SlotSet("location", "Lewisham"))
        await store.save(first)
        in_flight = await store.retrieve(KEY)  # another replica is half-way through a message
        assert await store.delete(KEY) is True
        assert await store.delete(KEY) is False
        said(in_flight, "still there?")
        await store.save(in_flight)  # the late save
        assert await store.retrieve(KEY) is None
        # A new conversation after the exit (admitted by the lock, as Rasa does) is kept.
        locks = AtomicRedisLockStore(redis_settings)
        async with locks.lock(KEY):
            fresh = await store.get_or_create_tracker(KEY)
            said(fresh, "hello", "greet")
            await store.save(fresh)
        kept = await store.retrieve(KEY)
        assert kept is not None and place_of(kept) is None
        await store.close()
        await locks.close()

    run(scenario())


def test_a_message_admitted_before_the_exit_cannot_start_the_conversation_again(
        domain: Domain, redis_settings: RedisSettings) -> None:
    """The message was waiting for the lock when the person left; it then finds no tracker
    and would create a new one holding its words. The delete count it was admitted with
    refuses that save."""

    async def scenario() -> None:
        store = RedisTrackerStore(domain, redis_settings, ttl_seconds=60)
        locks = AtomicRedisLockStore(redis_settings)
        tracker = await store.get_or_create_tracker(KEY)
        said(tracker, "hello", "greet")
        await store.save(tracker)
        async with locks.lock(KEY):
            await store.delete(KEY)  # the exit, on another replica, while this one waits
            late = await store.get_or_create_tracker(KEY)
            said(late, "I live in Lewisham")
            await store.save(late)
        assert await store.retrieve(KEY) is None
        async with locks.lock(KEY):  # the next message, after the exit, is kept
            fresh = await store.get_or_create_tracker(KEY)
            said(fresh, "hello", "greet")
            await store.save(fresh)
        assert await store.retrieve(KEY) is not None
        await store.close()
        await locks.close()

    run(scenario())


def test_a_quick_exit_turn_deletes_instead_of_saving(
        domain: Domain, redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    async def scenario() -> None:
        store = RedisTrackerStore(domain, redis_settings, ttl_seconds=60)
        tracker = await store.get_or_create_tracker(KEY)
        said(tracker, "hello", "greet")
        await store.save(tracker)
        said(tracker, "exit", "quick_exit")
        await store.save(tracker)
        assert await store.retrieve(KEY) is None
        await store.close()

    run(scenario())
    keys = set(everything_in(redis_server))
    assert keys == {b"signpost:gone:" + KEY.encode()}  # only the delete count, with a TTL


def test_a_stale_copy_cannot_overwrite_a_newer_one(
        domain: Domain, redis_settings: RedisSettings) -> None:
    async def scenario() -> None:
        store = RedisTrackerStore(domain, redis_settings, ttl_seconds=60)
        tracker = await store.get_or_create_tracker(KEY)
        said(tracker, "hello", "greet")
        await store.save(tracker)
        a, b = await store.retrieve(KEY), await store.retrieve(KEY)
        a.update(SlotSet("location", "Lewisham"))
        await store.save(a)
        b.update(SlotSet("location", "Hackney"))
        await store.save(b)  # read before a's save: refused, not merged over it
        assert place_of(await store.retrieve(KEY)) == "Lewisham"
        await store.close()

    run(scenario())


def test_redis_frozen_answers_fast_keeps_nothing_in_memory_and_exit_sticks(
        domain: Domain, redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    """While Redis is frozen (SIGSTOP) nothing raises, so FailSafeTrackerStore never reaches
    its in-memory fallback; the exit is sent again once Redis wakes."""

    async def scenario() -> None:
        inner = RedisTrackerStore(domain, redis_settings, ttl_seconds=60)
        store = FailSafeTrackerStore(inner)
        tracker = await store.get_or_create_tracker(KEY)
        said(tracker, "I live in Lewisham")
        tracker.update(SlotSet("location", "Lewisham"))
        await store.save(tracker)
        redis_server.freeze()
        try:
            started = time.monotonic()
            assert await store.retrieve(KEY) is None
            other = await store.get_or_create_tracker("sms-" + "1" * 32)
            said(other, "he is hurting me")
            await store.save(other)
            assert await inner.delete(KEY) is False
            assert time.monotonic() - started < 2.5  # the bound for an answer
        finally:
            redis_server.thaw()
        assert store._fallback_tracker_store is None
        # The only thing held in memory is the exit still to be sent: the key, no content.
        held = {name: value for name, value in vars(inner).items()
                if isinstance(value, (dict, list, set)) and value}
        assert set(held) == {"_pending_deletes"} and list(held["_pending_deletes"]) == [KEY]
        await asyncio.sleep(redis_settings.retry_after_seconds + 0.1)
        assert await store.retrieve(KEY) is None  # the first call after the outage sends the exit
        assert inner.pending_deletes == 0
        assert await inner.retrieve("sms-" + "1" * 32) is None
        await inner.close()

    run(scenario())
    assert b"signpost:conv:" + KEY.encode() not in everything_in(redis_server)


def test_the_lock_is_atomic_across_clients(redis_settings: RedisSettings) -> None:
    """Four clients on four event loops, each doing an unprotected read-change-write of one
    counter inside the conversation lock, 50 times: no increment may be lost."""
    import threading

    import redis
    import redis.asyncio

    rounds, workers = 50, 4
    counter = "signpost:test-counter"

    def worker() -> None:
        async def go() -> None:
            locks = AtomicRedisLockStore(redis_settings)
            client = redis.asyncio.Redis.from_url(redis_settings.url)
            for _ in range(rounds):
                async with locks.lock(KEY):
                    value = int(await client.get(counter) or 0)
                    await asyncio.sleep(0)
                    await client.set(counter, value + 1)
            await client.close()
            await locks.close()

        asyncio.run(go())

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    client = redis.Redis.from_url(redis_settings.url)
    assert int(client.get(counter)) == rounds * workers
    assert client.exists(f"signpost:lock:{KEY}") == 0
    client.close()


def test_after_redis_restarts_the_next_call_works_on_a_new_connection(
        domain: Domain, redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    """A restart breaks every pooled connection; that must not count as Redis being away."""

    async def scenario() -> None:
        store = RedisTrackerStore(domain, redis_settings, ttl_seconds=60)
        tracker = await store.get_or_create_tracker(KEY)
        said(tracker, "hello", "greet")
        await store.save(tracker)
        redis_server.restart()  # empty again: nothing was written to disk
        assert await store.retrieve(KEY) is None
        fresh = await store.get_or_create_tracker(KEY)
        said(fresh, "hello", "greet")
        await store.save(fresh)
        assert await store.retrieve(KEY) is not None
        await store.close()

    run(scenario())


def test_a_held_lock_is_renewed_and_a_dead_holders_lock_frees_itself(
        redis_settings: RedisSettings) -> None:
    import dataclasses

    from rasa.core.lock_store import LockError

    quick = dataclasses.replace(redis_settings, lock_ttl_seconds=1.0, lock_wait_seconds=0.5)

    async def scenario() -> None:
        holder, other = AtomicRedisLockStore(quick), AtomicRedisLockStore(quick)
        async with holder.lock(KEY):
            await asyncio.sleep(2.5)  # well past the TTL: kept by renewal
            with pytest.raises(LockError):
                async with other.lock(KEY):
                    pass
        # A replica killed mid-message never releases: its lock runs out within the TTL.
        crashed = holder._redis().lock(f"signpost:lock:{KEY}", timeout=quick.lock_ttl_seconds)
        assert await crashed.acquire(blocking=False)
        # Waiting a little longer than the TTL is enough (LockError otherwise).
        patient = AtomicRedisLockStore(dataclasses.replace(quick, lock_wait_seconds=2.5))
        async with patient.lock(KEY):
            pass
        for store in (holder, other, patient):
            await store.close()

    run(scenario())
