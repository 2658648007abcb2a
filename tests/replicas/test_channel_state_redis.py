"""Per-channel state in a real Redis, shared by two "replicas" (two channel instances, each
with its own stores, as two processes would have): choices offered on one are honoured on the
other, one rate budget, exit deletes everything, nothing raw is stored, and while Redis is
frozen every call returns at once and keeps nothing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore

from bot.channels.conversation import ChannelCollector, conversation_key
from bot.channels.input_guard import REFUSED_RATE
from bot.channels.pipeline import MessagePipeline, OfferedPayloads
from bot.channels.sms import OfferedButtons
from bot.channels.telegram import LongPayloads
from bot.replicas.processes import RedisServer
from bot.stores.channel_state import (
    MemoryChannelStores,
    RedisChannelStores,
    RedisLongPayloads,
    RedisOfferedPayloads,
    RedisSmsChoices,
    channel_stores,
)
from bot.stores.config import RedisSettings
from bot.stores.locks import AtomicRedisLockStore
from bot.stores.redis_tracker import RedisTrackerStore
from tests.channels.channel_harness import DANGER_TEXT, FakeRasa, domain, settings, text_of
from tests.support.redis_server import everything_in

HASH_KEY = b"replica-tests-hash-key-0123456789"
PHONE = "+447700900123"


def key_for(channel: str, raw: str) -> str:
    return conversation_key(HASH_KEY, channel, raw)


class Replica:
    """What one Rasa process holds: its own stores and clients, the shared Redis behind them."""

    def __init__(self, redis: RedisSettings, channel: str = "web", **overrides: Any) -> None:
        self.settings = settings(redis=redis, sender_hash_key=HASH_KEY, **overrides)
        self.store = RedisTrackerStore(domain(), redis, ttl_seconds=self.settings.session_ttl_seconds)
        self.locks = AtomicRedisLockStore(redis)
        self.agent = SimpleNamespace(domain=domain(), tracker_store=FailSafeTrackerStore(self.store))
        self.rasa = FakeRasa(self.agent)
        self.pipeline = MessagePipeline(channel, self.settings, lambda: ChannelCollector(channel))

    async def on_new_message(self, message: UserMessage) -> None:
        """As Rasa's Agent.handle_message: one message per conversation, under the lock."""
        async with self.locks.lock(message.sender_id):
            await self.rasa(message)

    async def say(self, key: str, text: str) -> list[dict[str, Any]]:
        outcome = await self.pipeline.handle(self.on_new_message, self.agent, key, text)
        return outcome.messages

    async def close(self) -> None:
        await self.store.close()
        await self.locks.close()


@contextlib.asynccontextmanager
async def replicas(redis: RedisSettings, channel: str = "web", **overrides: Any
                   ) -> AsyncIterator[tuple[Replica, Replica]]:
    a, b = Replica(redis, channel, **overrides), Replica(redis, channel, **overrides)
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


def test_the_stores_are_chosen_once_from_the_settings(redis_settings: RedisSettings) -> None:
    assert isinstance(channel_stores(settings()), MemoryChannelStores)
    assert isinstance(channel_stores(settings(redis=redis_settings)), RedisChannelStores)
    memory = MessagePipeline("web", settings(), lambda: ChannelCollector("web"))
    assert isinstance(memory.offered, OfferedPayloads)
    shared = MessagePipeline("web", settings(redis=redis_settings), lambda: ChannelCollector("web"))
    assert isinstance(shared.offered, RedisOfferedPayloads)


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_both_implementations_behave_alike(kind: str, redis_settings: RedisSettings) -> None:
    """The same checks for today's classes and the Redis ones: a drop-in replacement."""
    clock = [1000.0]
    if kind == "memory":
        offered: Any = OfferedPayloads(60, clock=lambda: clock[0])
        choices: Any = OfferedButtons(60, clock=lambda: clock[0])
        tokens: Any = LongPayloads(60, clock=lambda: clock[0])
    else:
        offered = RedisOfferedPayloads(redis_settings, 60, clock=lambda: clock[0])
        choices = RedisSmsChoices(redis_settings, 60, clock=lambda: clock[0])
        tokens = RedisLongPayloads(redis_settings, 60, clock=lambda: clock[0])
    a, b = key_for("web", "tab-a"), key_for("web", "tab-b")

    offered.remember(a, ["/greet", "plain words", "/find_support"])
    assert offered.was_offered(a, "/greet") and offered.was_offered(a, "/find_support")
    assert not offered.was_offered(a, "plain words") and not offered.was_offered(b, "/greet")
    assert a in offered and b not in offered
    clock[0] += 61
    assert not offered.was_offered(a, "/greet")  # offered too long ago
    offered.forget(a)
    assert a not in offered

    choices.remember(a, ["/one", "/two"])
    assert choices.payload(a, 2) == "/two" and choices.payload(a, 3) is None
    assert choices.payload(b, 1) is None
    choices.remember(a, [])  # a reply without choices clears them
    assert choices.payload(a, 1) is None and a not in choices

    token = tokens.token_for(a, "/inform_location{\"location\": \"" + "x" * 80 + "\"}")
    assert token.startswith("#") and len(token.encode()) <= 64
    assert tokens.payload(a, token).startswith("/inform_location")
    assert tokens.payload(b, token) is None  # bound to the conversation it was offered to
    assert tokens.held_for(a) == 1
    tokens.forget(a)
    assert tokens.payload(a, token) is None and tokens.held_for(a) == 0


def test_choices_offered_on_one_replica_are_honoured_on_the_other(
        redis_settings: RedisSettings) -> None:
    async def scenario() -> None:
        async with replicas(redis_settings) as (a, b):
            key = key_for("web", "tab-0123456789abcdef")
            await a.say(key, "hello")  # the greeting offers buttons
            await b.say(key, "/find_support")  # typed on the other replica: still honoured
            assert b.rasa.texts == ["/find_support"]
            await b.say(key, "/safe_contact")  # never offered: read as words
            assert b.rasa.texts[-1] != "/safe_contact"

    asyncio.run(scenario())


def test_the_rate_limit_is_one_budget_across_replicas_and_danger_is_never_limited(
        redis_settings: RedisSettings) -> None:
    async def scenario() -> None:
        async with replicas(redis_settings) as (a, b):
            key = key_for("web", "tab-fedcba9876543210")
            for n in range(25):
                await (a if n % 2 == 0 else b).say(key, f"message number {n}")
            seen = a.rasa.texts + b.rasa.texts
            assert len(seen) == 25
            assert sum(1 for text in seen if text != REFUSED_RATE) == 20
            replies = await b.say(key, DANGER_TEXT)  # over the limit, and still read
            assert b.rasa.texts[-1] == DANGER_TEXT
            assert replies[0]["text"] == text_of("utter_emergency", "web")

    asyncio.run(scenario())


def test_exit_on_one_replica_deletes_everything_and_a_late_reply_cannot_put_it_back(
        redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    async def scenario() -> None:
        async with replicas(redis_settings) as (a, b):
            key = key_for("web", "tab-0011223344556677")
            await a.say(key, "hello")
            assert any(k.endswith(key.encode()) for k in everything_in(redis_server))
            left = await b.say(key, "exit")
            assert left[0]["text"] == text_of("utter_quick_exit", "web")
            assert a.pipeline.offered.was_offered(key, "/find_support") is False
            # A reply that was still in flight on replica A when the person left:
            a.pipeline.offered.remember(key, ["/find_support"])
            assert key not in a.pipeline.offered
            # Only the delete count is left, and it expires with the session.
            left_behind = {k for k in everything_in(redis_server) if key.encode() in k}
            assert left_behind == {f"signpost:gone:{key}".encode()}
            # Coming back later is a new conversation, and its choices are kept again.
            await a.say(key, "hello")
            assert key in b.pipeline.offered

    asyncio.run(scenario())


def test_sms_choices_and_replays_are_shared_and_no_number_is_stored(
        redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    from bot.channels.sms import SmsInput

    async def scenario() -> None:
        shared = settings(redis=redis_settings, sender_hash_key=HASH_KEY)
        one, two = SmsInput(shared, "token", "https://x.test/sms"), SmsInput(shared, "token",
                                                                            "https://x.test/sms")
        key = key_for("sms", PHONE)
        assert one.seen.first_time(key, "SM" + "a" * 32) is True
        assert two.seen.first_time(key, "SM" + "a" * 32) is False  # Twilio's retry, other replica
        assert two.seen.first_time(key_for("sms", "+447700900999"), "SM" + "a" * 32) is True
        one.offered.remember(key, ["/one", "/two"])
        assert two.offered.payload(key, 1) == "/one"

    asyncio.run(scenario())
    stored = everything_in(redis_server)
    flat = b"\n".join(k + b"=" + v for k, v in stored.items())
    assert PHONE.encode() not in flat and PHONE[1:].encode() not in flat
    assert b"a" * 32 not in flat  # the MessageSid only as a keyed hash


def test_telegram_long_payloads_and_update_ids_are_shared(redis_settings: RedisSettings,
                                                          redis_server: RedisServer) -> None:
    from bot.channels.telegram import TelegramInput

    shared = settings(redis=redis_settings, sender_hash_key=HASH_KEY)
    one = TelegramInput(shared, "123:abc", "secret")
    two = TelegramInput(shared, "123:abc", "secret")
    chat_id = 734219958
    key = key_for("telegram", str(chat_id))
    token = one.long_payloads.token_for(key, "/inform_location{\"location\": \"" + "y" * 70 + "\"}")
    assert two.long_payloads.payload(key, token).startswith("/inform_location")
    assert one.seen.first_time(key, 555001) is True and two.seen.first_time(key, 555001) is False
    flat = b"\n".join(k + b"=" + v for k, v in everything_in(redis_server).items())
    assert str(chat_id).encode() not in flat and b"555001" not in flat


def test_redis_frozen_every_call_returns_at_once_and_nothing_is_kept(
        redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    from bot.channels.sms import SmsInput
    from bot.channels.telegram import TelegramInput

    shared = settings(redis=redis_settings, sender_hash_key=HASH_KEY)
    sms = SmsInput(shared, "token", "https://x.test/sms")
    tg = TelegramInput(shared, "123:abc", "secret")
    pipe = MessagePipeline("web", shared, lambda: ChannelCollector("web"))
    key = key_for("sms", PHONE)
    redis_server.freeze()
    try:
        started = time.monotonic()
        allowed = 0
        for _ in range(50):
            sms.offered.remember(key, ["/one"])
            assert sms.offered.payload(key, 1) is None
            assert sms.seen.first_time(key, "SM" + "b" * 32) is True  # answered, not dropped
            pipe.offered.remember(key, ["/find_support"])
            assert not pipe.offered.was_offered(key, "/find_support")
            token = tg.long_payloads.token_for(key, "/x" * 40)
            assert tg.long_payloads.payload(key, token) is None
            allowed += pipe.limiter.allow(key)
        elapsed = time.monotonic() - started
    finally:
        redis_server.thaw()
    assert allowed == 20  # this process's own window stands in for the shared one
    # One short timeout, then the breaker answers every call at once (300 calls each waiting
    # for Redis would take over a minute): within the 2.5 s bound for an answer.
    assert elapsed < 2.5
    for state in (sms.offered, tg.long_payloads, pipe.offered):
        held = [name for name, value in vars(state).items()
                if isinstance(value, (dict, list, set)) and value and name != "_scripts"]
        assert held == []
