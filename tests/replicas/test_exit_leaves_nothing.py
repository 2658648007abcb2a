"""Exit on any channel leaves nothing of the conversation in a real Redis.

Each channel runs in a real Sanic app behind its real webhook (signed Twilio forms, Telegram's
secret header, the web front's token), with the Redis tracker store, the atomic lock store and
the Redis channel state, as one replica has them. A conversation builds every kind of state its
channel keeps (tracker, offered buttons, SMS numbered choices, Telegram long payloads, provider
delivery ids, the rate window), then the person leaves; a scan of Redis by the conversation's
hashed key then finds only the delete count (a number, which refuses a late save from another
replica and expires with the session), and the delivery ids are gone with the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timezone
from itertools import count
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore
from telegram import Chat, Message, Update, User
from twilio.request_validator import RequestValidator

from bot.channels.conversation import conversation_key
from bot.channels.sms import SmsInput
from bot.channels.telegram import SECRET_HEADER, TelegramInput
from bot.channels.web import TOKEN_HEADER, WebInput
from bot.replicas.processes import RedisServer
from bot.stores.config import RedisSettings
from bot.stores.locks import AtomicRedisLockStore
from bot.stores.redis_tracker import RedisTrackerStore
from tests.channels.channel_harness import (
    LONG_PAYLOAD_TEXT,
    FakeBotApi,
    FakeRasa,
    domain,
    fake_bot_api,
    serve,
    settings,
)
from tests.support.redis_server import everything_in

HASH_KEY = b"exit-tests-hash-key-0123456789ab"
WEB_TOKEN = "web-token-for-exit-tests"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
SMS_URL = "https://signpost.example.org/webhooks/sms/webhook"
TG_SECRET = "webhook-secret_for-tests"
PHONE = "+447700900321"
CHAT_ID = 734_219_001
TAB = "tab-" + "0123456789abcdef"
_ids = count(50_000)


@pytest.fixture(scope="module")
def bot_api() -> Iterator[FakeBotApi]:
    with fake_bot_api() as api:
        yield api


@contextlib.asynccontextmanager
async def replica(channel: InputChannel, redis: RedisSettings) -> AsyncIterator[httpx.AsyncClient]:
    """One replica's stores around a FakeRasa that, like Rasa, handles a message under the
    conversation's lock; the channel served over HTTP."""
    store = RedisTrackerStore(domain(), redis)
    locks = AtomicRedisLockStore(redis)
    agent = SimpleNamespace(domain=domain(), tracker_store=FailSafeTrackerStore(store))
    rasa = FakeRasa(agent)

    async def on_new_message(message: UserMessage) -> None:
        async with locks.lock(message.sender_id):
            await rasa(message)

    try:
        async with serve(channel, on_new_message, agent) as base, httpx.AsyncClient(
                base_url=base, timeout=10) as client:
            yield client
    finally:
        await store.close()
        await locks.close()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """In a thread of its own: a test elsewhere in the run may leave this thread's event loop
    marked as running, and asyncio.run refuses then."""
    failure: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the scenario did not finish"
    if failure:
        raise failure[0]


def left_behind(server: RedisServer, key: str) -> dict[bytes, bytes]:
    return {k: v for k, v in everything_in(server).items() if key.encode() in k}


def assert_only_the_delete_count_is_left(server: RedisServer, key: str,
                                         before: dict[bytes, bytes]) -> None:
    gone = f"signpost:gone:{key}".encode()
    remaining = left_behind(server, key)
    assert set(remaining) == {gone}, sorted(remaining)
    assert remaining[gone].isdigit()  # a count, nothing about the person
    # Nothing else was added for this conversation under a key that does not name it either
    # (only the per-channel overall window, which holds times and is linked to no one).
    others = {k for k in everything_in(server) if k not in before and key.encode() not in k}
    assert all(k.startswith(b"signpost:rate:overall:") for k in others), sorted(others)


def sms_form(body: str, sid: str | None = None) -> dict[str, str]:
    sid = sid or "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "SmsSid": sid, "From": PHONE, "To": "+447700900999",
            "Body": body, "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}


def test_sms_exit_deletes_every_key_including_the_message_sids(
        redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    key = conversation_key(HASH_KEY, "sms", PHONE)
    validator = RequestValidator(TWILIO_TOKEN)

    async def scenario() -> None:
        sms = SmsInput(settings(redis=redis_settings, sender_hash_key=HASH_KEY), TWILIO_TOKEN,
                       SMS_URL)
        async with replica(sms, redis_settings) as client:
            async def text(form: dict[str, str]) -> httpx.Response:
                signature = validator.compute_signature(SMS_URL, form)
                reply = await client.post("/webhooks/sms/webhook", data=form,
                                          headers={"X-Twilio-Signature": signature})
                assert reply.status_code == 200
                return reply

            first = sms_form("hello")
            await text(first)  # the greeting offers numbered choices
            await text(first)  # Twilio's retry: answered once
            held = left_behind(redis_server, key)
            for kind in ("conv", "offered", "sms-choices", "rate:conversation", "seen"):
                assert f"signpost:{kind}:{key}".encode() in held, (kind, sorted(held))
            await text(sms_form("1"))
            assert sms.seen.held_for(key) == 2
            before = {k: v for k, v in everything_in(redis_server).items()
                      if key.encode() not in k}
            await text(sms_form("EXIT"))
            assert_only_the_delete_count_is_left(redis_server, key, before)
            assert sms.seen.held_for(key) == 0

    run(scenario)


def tg_message(text: str, update_id: int | None = None) -> dict[str, Any]:
    chat = Chat(id=CHAT_ID, type=Chat.PRIVATE)
    message = Message(message_id=next(_ids), date=datetime.now(tz=timezone.utc), chat=chat,
                      from_user=User(id=CHAT_ID, first_name="A", is_bot=False), text=text)
    return Update(update_id=update_id or next(_ids), message=message).to_dict()


@pytest.mark.parametrize("leaving", ["/exit", "exit", "delete everything"])
def test_telegram_exit_deletes_every_key_including_update_ids_and_long_payloads(
        leaving: str, redis_settings: RedisSettings, redis_server: RedisServer,
        bot_api: FakeBotApi) -> None:
    key = conversation_key(HASH_KEY, "telegram", str(CHAT_ID))

    async def scenario() -> None:
        tg = TelegramInput(settings(redis=redis_settings, sender_hash_key=HASH_KEY),
                           "123:abc", TG_SECRET, api_url=bot_api.api_url)
        async with replica(tg, redis_settings) as client:
            async def send(update: dict[str, Any]) -> None:
                reply = await client.post("/webhooks/telegram/webhook", json=update,
                                          headers={SECRET_HEADER: TG_SECRET})
                assert reply.status_code == 200

            first = tg_message("hello")
            await send(first)
            await send(first)  # Telegram's redelivery: answered once
            await send(tg_message(LONG_PAYLOAD_TEXT))  # a payload too long for a button
            held = left_behind(redis_server, key)
            for kind in ("conv", "offered", "tg-payloads", "rate:conversation", "seen"):
                assert f"signpost:{kind}:{key}".encode() in held, (kind, sorted(held))
            assert tg.seen.held_for(key) == 2 and tg.long_payloads.held_for(key) == 1
            before = {k: v for k, v in everything_in(redis_server).items()
                      if key.encode() not in k}
            await send(tg_message(leaving))  # a command, the exit word, or Rasa's quick_exit
            assert_only_the_delete_count_is_left(redis_server, key, before)

    run(scenario)


def test_web_exit_and_quick_exit_delete_every_key(
        redis_settings: RedisSettings, redis_server: RedisServer) -> None:
    key = conversation_key(HASH_KEY, "web", TAB)

    async def scenario() -> None:
        web = WebInput(settings(redis=redis_settings, sender_hash_key=HASH_KEY,
                                webfront_token=WEB_TOKEN))
        async with replica(web, redis_settings) as client:
            async def say(path: str, message: str | None = None) -> None:
                body = {"sender": TAB, **({"message": message} if message else {})}
                reply = await client.post(f"/webhooks/web/{path}", json=body,
                                          headers={TOKEN_HEADER: WEB_TOKEN})
                assert reply.status_code == 200

            for path, message in (("webhook", "exit"), ("forget", None)):
                await say("webhook", "hello")
                held = left_behind(redis_server, key)
                for kind in ("conv", "offered", "rate:conversation"):
                    assert f"signpost:{kind}:{key}".encode() in held, (kind, sorted(held))
                before = {k: v for k, v in everything_in(redis_server).items()
                          if key.encode() not in k}
                await say(path, message)  # typed exit, then the page's quick-exit button
                assert_only_the_delete_count_is_left(redis_server, key, before)

    run(scenario)
