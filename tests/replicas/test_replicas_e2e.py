"""The multi-replica mode end to end, on real servers started here (bot.replicas.stack): Redis,
PostgreSQL, HAProxy, two Rasa replicas with their action servers, the web front; all loopback.

Ordered so that no replica needs restarting: the tests that kill replicas come last.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
from telegram import Chat, Message, Update, User
from twilio.request_validator import RequestValidator

from bot.channels.conversation import conversation_key
from bot.replicas.stack import ReplicaStack
from tests.channels.channel_harness import fake_bot_api
from tests.support.redis_models import trained_model
from tests.support.redis_server import everything_in

pytestmark = pytest.mark.e2e

SESSION_TTL = 30  # short, so the expiry test can watch Redis empty itself
EMERGENCY_START = "If you are in danger now, call 999"
HELPLINE = "0808 2000 247"
STALKING_HELPLINE = "0808 802 0300"
REFUSED_RATE_START = "You're sending messages faster than I can answer"
BOUND = 2.5  # seconds: the bound for an answer while Redis is away


class Client:
    """Talks to the stack as Twilio, Telegram and browsers do, and looks inside Redis."""

    def __init__(self, stack: ReplicaStack, bot_api: Any) -> None:
        self.stack = stack
        self.bot_api = bot_api
        self.env = stack.env
        self.http = requests.Session()
        self.http.trust_env = False
        self._ids = iter(range(int(time.time()) % 1_000_000 * 1000, 10**12))

    # ---- the three channels, through HAProxy ---------------------------------------------
    def web(self, tab: str, text: str, timeout: float = 10) -> list[dict[str, Any]]:
        reply = self.http.post(f"{self.stack.public_url}/api/chat", json={"sender": tab, "message": text},
                               timeout=timeout)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def web_direct(self, replica: int, tab: str, text: str, timeout: float = 10) -> list[dict[str, Any]]:
        """Straight to one replica's web channel, as the web front does through HAProxy."""
        reply = self.http.post(f"{self.stack.rasa_url(replica)}/webhooks/web/webhook",
                               json={"sender": tab, "message": text},
                               headers={"X-Webfront-Token": self.env["WEBFRONT_TOKEN"]}, timeout=timeout)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def sms(self, phone: str, body: str, timeout: float = 10) -> list[str]:
        form = {"From": phone, "To": "+447700900000", "Body": body,
                "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32}
        signature = RequestValidator(self.env["TWILIO_AUTH_TOKEN"]).compute_signature(
            self.env["SMS_PUBLIC_URL"], form)
        reply = self.http.post(f"{self.stack.public_url}/webhooks/sms/webhook", data=form,
                               headers={"X-Twilio-Signature": signature}, timeout=timeout)
        assert reply.status_code == 200, reply.text
        return [m.text or "" for m in ET.fromstring(reply.text).findall("Message")]

    def telegram(self, chat_id: int, text: str, timeout: float = 10) -> list[str]:
        """The texts sent to the chat because of this update."""
        before = len(self.sent_to(chat_id))
        chat = Chat(id=chat_id, type=Chat.PRIVATE)
        message = Message(message_id=next(self._ids), date=datetime.now(tz=timezone.utc), chat=chat,
                          from_user=User(id=chat_id, first_name="A", is_bot=False), text=text)
        update = Update(update_id=next(self._ids), message=message).to_dict()
        reply = self.http.post(f"{self.stack.public_url}/webhooks/telegram/webhook", json=update,
                               headers={"X-Telegram-Bot-Api-Secret-Token": self.env["TELEGRAM_SECRET_TOKEN"]},
                               timeout=timeout)
        assert reply.status_code == 200, reply.text
        if reply.content and reply.headers.get("content-type", "").startswith("application/json"):
            body = reply.json()  # the fallback answers inside the webhook's own response
            if isinstance(body, dict) and body.get("method") == "sendMessage":
                return [body["text"]]
        return self.sent_to(chat_id)[before:]

    def sent_to(self, chat_id: int) -> list[str]:
        return [c.params.get("text", "") for c in self.bot_api.of("sendMessage")
                if int(c.params["chat_id"]) == chat_id]

    # ---- inside Redis ---------------------------------------------------------------------
    def key(self, channel: str, raw: str) -> str:
        return conversation_key(self.env["SENDER_HASH_KEY"].encode(), channel, raw)

    def redis(self) -> dict[bytes, bytes]:
        assert self.stack.redis is not None
        return everything_in(self.stack.redis)

    def has_conversation(self, key: str) -> bool:
        return f"signpost:conv:{key}".encode() in self.redis()


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [str(m.get("text") or "") for m in messages]


def new_tab() -> str:
    return secrets.token_hex(16)


def new_phone() -> str:
    return "+4477009" + str(secrets.randbelow(10**5)).zfill(5)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Client]:
    with fake_bot_api() as bot_api:
        stack = ReplicaStack(model=trained_model(), extra_env={
            "SESSION_TTL_SECONDS": str(SESSION_TTL),
            "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
            "SMS_PUBLIC_URL": "https://bot.example.test/webhooks/sms/webhook",
            "TELEGRAM_BOT_TOKEN": "123456:" + secrets.token_hex(16),
            "TELEGRAM_SECRET_TOKEN": secrets.token_hex(16),
            "TELEGRAM_API_URL": bot_api.api_url,
            "WEBFRONT_TOKEN": secrets.token_urlsafe(24),
            "SENDER_HASH_KEY": secrets.token_urlsafe(24),
            # The web front's own per-address limits would hide the replicas' shared one.
            "ADDRESS_RATE_LIMIT_PER_MINUTE": "0", "ADDRESS_MAX_IN_FLIGHT": "0", "MAX_IN_FLIGHT": "0",
        })
        try:
            stack.start(timeout=400)
            yield Client(stack, bot_api)
        finally:
            stack.stop()


# ---- privacy ----------------------------------------------------------------------------------
def test_no_raw_phone_number_chat_id_or_tab_id_is_stored_in_redis(cluster: Client) -> None:
    tab, phone, chat_id = new_tab(), new_phone(), 700_000_000 + secrets.randbelow(10**8)
    cluster.web(tab, "my ex keeps turning up at my work")
    cluster.web(tab, "hello")  # offers buttons: channel state is stored too
    cluster.sms(phone, "my partner checks my phone")
    cluster.sms(phone, "hello")
    cluster.telegram(chat_id, "my ex keeps turning up at my work")
    stored = cluster.redis()
    for channel, raw in (("web", tab), ("sms", phone), ("telegram", str(chat_id))):
        assert cluster.has_conversation(cluster.key(channel, raw)), channel  # the scan means something
    everything = b"\n".join(k + b"\n" + v for k, v in stored.items())
    for raw in (tab, phone, phone.lstrip("+"), phone.replace("+", "%2B"), "0" + phone[3:], str(chat_id)):
        assert raw.encode() not in everything, raw
    assert cluster.env["SENDER_HASH_KEY"].encode() not in everything


def test_each_conversation_stays_on_one_replica_on_every_channel(cluster: Client) -> None:
    """HAProxy's consistent hashing: web by sender, SMS by From, Telegram by chat id."""
    tab, phone, chat_id = new_tab(), new_phone(), 730_000_000 + secrets.randbelow(10**6)
    senders: list[tuple[str, Callable[[], object]]] = [
        ("rasa_web", lambda: cluster.web(tab, "hello")),
        ("rasa_webhooks", lambda: cluster.sms(phone, "hello")),
        ("rasa_webhooks", lambda: cluster.telegram(chat_id, "hello")),
    ]
    for backend, send in senders:
        before = cluster.stack.served(backend)
        for _ in range(4):
            send()
        after = cluster.stack.served(backend)
        grew = sorted(after[name] - before.get(name, 0) for name in after)
        assert grew[-1] == 4 and sum(grew) == 4, (backend, before, after)


# ---- one budget ---------------------------------------------------------------------------------
def test_the_rate_limit_holds_across_replicas_and_danger_is_never_limited(cluster: Client) -> None:
    tab = new_tab()
    replies = [cluster.web_direct(n % 2, tab, "hello") for n in range(25)]
    refused = [r for r in replies if texts(r) and texts(r)[0].startswith(REFUSED_RATE_START)]
    assert len(replies) - len(refused) == 20 and len(refused) == 5
    for replica in (0, 1):
        danger = texts(cluster.web_direct(replica, tab, "he is strangling me"))
        assert danger[0].startswith(EMERGENCY_START)
        assert not any(t.startswith(REFUSED_RATE_START) for t in danger)


# ---- exit wins a race -----------------------------------------------------------------------------
def test_exit_on_one_replica_while_a_message_is_in_flight_on_the_other(cluster: Client) -> None:
    """Replica 1 is half-way through a message (its action server is frozen, so the message
    holds the lock with the conversation read) when the person leaves through replica 2."""
    tab = new_tab()
    key = cluster.key("web", tab)
    cluster.web_direct(0, tab, "my ex keeps turning up at my work")
    assert cluster.has_conversation(key)
    actions = cluster.stack.parts["actions1"].proc
    assert actions is not None
    in_flight: list[list[dict[str, Any]]] = []
    os.killpg(actions.pid, signal.SIGSTOP)
    try:
        sender = threading.Thread(target=lambda: in_flight.append(cluster.web_direct(0, tab, "lewisham")))
        sender.start()
        deadline = time.monotonic() + 10
        while f"signpost:lock:{key}".encode() not in cluster.redis():
            assert time.monotonic() < deadline, "the message never took the conversation's lock"
            time.sleep(0.05)
        left = texts(cluster.web_direct(1, tab, "exit"))
        assert left and "deleted" in " ".join(left).lower()
        assert not cluster.has_conversation(key)
    finally:
        os.killpg(actions.pid, signal.SIGCONT)
    sender.join(timeout=30)
    assert in_flight, "the in-flight message was never answered"
    deadline = time.monotonic() + 30
    while f"signpost:lock:{key}".encode() in cluster.redis():  # replica 1 finishes and saves
        assert time.monotonic() < deadline
        time.sleep(0.1)
    left_behind = {k for k in cluster.redis() if key.encode() in k}
    assert left_behind == {f"signpost:gone:{key}".encode()}
    # Replica 1 really did try to write it back, and was refused.
    log = cluster.stack.log_path("rasa1").read_text(errors="replace")
    assert "conversation not saved: deleted since this message began" in log
    fresh = " ".join(texts(cluster.web_direct(0, tab, "lewisham")))
    assert "Lewisham" in fresh and STALKING_HELPLINE not in fresh, "the topic came back after exit"


# ---- Redis away ---------------------------------------------------------------------------------
def _every_channel_answers_danger_first(cluster: Client) -> None:
    tab, phone, chat_id = new_tab(), new_phone(), 710_000_000 + secrets.randbelow(10**7)
    for name, send in (("web", lambda t: texts(cluster.web(tab, t))),
                       ("sms", lambda t: cluster.sms(phone, t)),
                       ("telegram", lambda t: cluster.telegram(chat_id, t))):
        for text, danger in (("he has a knife and says he will kill me", True),
                             ("my ex keeps turning up at my work", False)):
            started = time.monotonic()
            answer = send(text)
            elapsed = time.monotonic() - started
            assert elapsed < BOUND, (name, text, elapsed)
            assert answer, (name, text)
            if danger:
                assert EMERGENCY_START in answer[0] and "55" in answer[0], (name, answer)


def test_redis_frozen_every_channel_answers_in_time_danger_first_and_nothing_is_kept(
        cluster: Client) -> None:
    assert cluster.stack.redis is not None
    tab = new_tab()
    cluster.stack.redis.freeze()
    try:
        _every_channel_answers_danger_first(cluster)
        started = time.monotonic()
        cluster.web(tab, "my ex keeps turning up at my work")  # the topic, said while frozen
        assert time.monotonic() - started < BOUND
    finally:
        cluster.stack.redis.thaw()
    time.sleep(3)  # the breaker asks Redis again after 2 s
    after = " ".join(texts(cluster.web(tab, "lewisham")))
    # Nothing from the frozen minutes was kept anywhere to be read back.
    assert "Lewisham" in after and STALKING_HELPLINE not in after
    assert cluster.has_conversation(cluster.key("web", tab))  # and Redis is used again


def test_redis_stopped_every_channel_answers_in_time_danger_first(cluster: Client) -> None:
    assert cluster.stack.redis is not None
    cluster.stack.redis.stop()
    try:
        _every_channel_answers_danger_first(cluster)
    finally:
        cluster.stack.redis.start()
    time.sleep(3)
    tab = new_tab()
    cluster.web(tab, "hello")
    assert cluster.has_conversation(cluster.key("web", tab))


# ---- expiry -----------------------------------------------------------------------------------------
def test_silent_conversations_expire_and_redis_ends_empty(cluster: Client) -> None:
    tab, phone = new_tab(), new_phone()
    cluster.web(tab, "my ex keeps turning up at my work")
    cluster.sms(phone, "hello")
    assert cluster.has_conversation(cluster.key("web", tab))
    time.sleep(SESSION_TTL + 2)
    # No conversation and none of its state is left; only rate windows (the times of the
    # last minute's messages, nothing said) may still be running out their minute.
    assert {k for k in cluster.redis() if not k.startswith(b"signpost:rate:")} == set()
    deadline = time.monotonic() + 70
    while cluster.redis():
        assert time.monotonic() < deadline, sorted(cluster.redis())
        time.sleep(1)


# ---- replicas away (these come last: nothing is restarted) -------------------------------------------
def test_a_conversation_moves_to_the_other_replica_with_its_slots_and_danger_first(
        cluster: Client) -> None:
    """Its replica is killed (SIGKILL) in the middle of a message, holding the conversation's
    lock: the next message goes to the other replica, which carries on with the topic."""
    tab = new_tab()
    key = cluster.key("web", tab)
    before = cluster.stack.served()
    cluster.web(tab, "my ex keeps turning up at my work")
    after = cluster.stack.served()
    serving = [name for name in after if after[name] > before.get(name, 0)]
    assert len(serving) == 1, (before, after)
    replica = int(serving[0].removeprefix("rasa"))
    actions = cluster.stack.parts[f"actions{replica}"].proc
    assert actions is not None
    in_flight: list[list[dict[str, Any]]] = []
    os.killpg(actions.pid, signal.SIGSTOP)  # so the next message is caught half-way
    try:
        sender = threading.Thread(target=lambda: in_flight.append(cluster.web(tab, "lewisham")))
        sender.start()
        deadline = time.monotonic() + 10
        while f"signpost:lock:{key}".encode() not in cluster.redis():
            assert time.monotonic() < deadline, "the message never took the conversation's lock"
            time.sleep(0.05)
        cluster.stack.kill(serving[0])  # a crash, holding the lock
    finally:
        os.killpg(actions.pid, signal.SIGCONT)
    sender.join(timeout=30)
    assert in_flight and HELPLINE in " ".join(texts(in_flight[0]))  # the web front's fallback
    deadline = time.monotonic() + 10  # the dead replica's lock runs out (6 s), not a minute
    while f"signpost:lock:{key}".encode() in cluster.redis():
        assert time.monotonic() < deadline, "the dead replica's lock never ran out"
        time.sleep(0.2)
    reply = " ".join(texts(cluster.web(tab, "lewisham")))
    assert "Lewisham" in reply and STALKING_HELPLINE in reply, "the topic was lost in the move"
    moved = cluster.stack.served()
    assert any(moved[name] > after[name] for name in moved if name != serving[0])
    danger = texts(cluster.web(tab, "he is strangling me"))
    assert danger[0].startswith(EMERGENCY_START) and "55" in danger[0]


def test_with_every_replica_down_sms_and_web_still_answer_999_first_and_the_helpline(
        cluster: Client) -> None:
    for name in ("rasa1", "rasa2"):
        cluster.stack.kill(name)
    time.sleep(1.5)  # HAProxy's health checks, every second
    web = texts(cluster.web(new_tab(), "he has a knife"))
    assert web[0].startswith(EMERGENCY_START) and HELPLINE in " ".join(web[1:])
    sms = cluster.sms(new_phone(), "he has a knife")
    assert sms[0].startswith(EMERGENCY_START) and HELPLINE in " ".join(sms[1:])
    telegram = cluster.telegram(720_000_001, "he has a knife")
    assert telegram[0].startswith(EMERGENCY_START) and HELPLINE in telegram[0]
    quiet = texts(cluster.web(new_tab(), "hello"))
    assert HELPLINE in " ".join(quiet)
