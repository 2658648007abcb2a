"""A real Sanic server with our channel mounted, a Rasa stand-in, and a fake Telegram Bot API.

Only the network edges are replaced. The channel runs in a real Sanic app on loopback and is
reached over HTTP; "Rasa" is an on_new_message that behaves like Rasa's (it picks each
response's variant by the output channel's name, writes replies into the output channel and
saves a tracker in the real ForgetfulTrackerStore); Telegram is a small HTTP server that
speaks enough of the Bot API for python-telegram-bot and records every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from bot.channels.conversation import response_text
from bot.settings import Settings
from bot.tracker_store import ForgetfulTrackerStore

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
DANGER_TEXT = "he is outside with a knife"
LONG_TEXT = "tell me everything"
EMOJI_TEXT = "show me emoji"
LONG_PAYLOAD_TEXT = "long choice"
SLOW_TEXT = "take your time"
SERVICES_TEXT = "services near me"
MANY_SERVICES_TEXT = "every service there is"
# Made-up services for rendering tests: numbers from Ofcom's drama range (020 7946 0xxx), never a
# real service's; values chosen to test escaping, GSM-7 and links.
CARDS: list[dict[str, str]] = [
    {"name": "Example <Advice> & Support", "phone": "020 7946 0123",
     "hours": "Mon\u2013Fri 9am-5pm", "website": "https://example.org/help?a=1&b=2",
     "description": "Advice for people in <Lewisham> & nearby.", "last_confirmed": "2026-10-01"},
    {"name": "Zo\u00eb's Place", "phone": "020 7946 0456", "hours": "Open 24 hours",
     "website": "http://example.net/not-secure", "description": "A made-up service."},
    {"name": "Name Only Service", "description": "Contact through the helpline."},
]


def card_message(card: dict[str, str]) -> dict[str, Any]:
    """A card as action_find_services sends it: its plain text and the card in custom."""
    from actions.service_cards import SERVICE_CARD, card_text

    return {"text": card_text(card), "custom": {SERVICE_CARD: dict(card)}}


def many_cards(count: int = 12) -> list[dict[str, str]]:
    return [{"name": f"Made-up Service Number {n}", "phone": f"020 7946 0{n:03d}",
             "hours": "Monday to Friday 9am to 5pm, Saturday 10am to 1pm",
             "website": f"https://service-{n}.example.org/a-long-path/to-the-help-page",
             "description": "A made-up service with a long description. " * 3}
            for n in range(count)]
# A payload longer than Telegram's 64-byte callback_data, still one the input guard accepts.
LONG_PAYLOAD = '/inform_location{"location": "Kensington and Chelsea and Fulham x"}'

_domain: Domain | None = None


def domain() -> Domain:
    global _domain
    if _domain is None:
        _domain = Domain.load(str(DOMAIN_FILE))
    return _domain


def text_of(name: str, channel: str) -> str:
    return response_text(domain(), name, channel)["text"]


def _script(text: str) -> tuple[str, list[str | dict[str, Any]]]:
    """A tiny NLU + policy: the intent and the responses (names, or literal messages)."""
    if text == "hello":
        return "greet", ["utter_greet", "utter_clarify"]
    if text == "/coercive_control":
        return "coercive_control", ["utter_offer_location"]
    if text == "/find_support":
        return "find_support", ["utter_offer_location"]
    if text == "/safe_contact":
        return "safe_contact", ["utter_safe_contact"]
    if text.startswith("/inform_location"):
        return "inform_location", ["utter_services_intro_national"]
    if text == DANGER_TEXT:
        # Deliberately in the wrong order: the channel must put the emergency first.
        return "immediate_danger", ["utter_after_emergency", "utter_emergency"]
    if text == LONG_TEXT:
        return "safe_contact", [{"text": "\n".join(
            text_of(name, "sms") for name in ("utter_safe_contact", "utter_safe_places",
                                              "utter_services_outro", "utter_iamabot",
                                              "utter_services_intro_national")
        )}]
    if text == EMOJI_TEXT:
        return "greet", [{"text": "**Hello** \U0001f44b\U0001f3fd you are *not* alone \u2764\ufe0f "
                                  "\u2013 call 0808 2000 247 \U0001f4de"}]
    if text == LONG_PAYLOAD_TEXT:
        return "find_support", [{"text": text_of("utter_offer_location", "telegram"),
                                 "buttons": [{"title": "Kensington", "payload": LONG_PAYLOAD},
                                             {"title": "Finding support",
                                              "payload": "/find_support"}]}]
    if text == SERVICES_TEXT:
        return "find_support", ["utter_services_intro_national",
                                *(card_message(c) for c in CARDS), "utter_services_outro"]
    if text == MANY_SERVICES_TEXT:
        return "find_support", ["utter_services_intro_national",
                                *(card_message(c) for c in many_cards()), "utter_services_outro"]
    if text.lower() in ("delete everything", "exit now"):
        return "quick_exit", ["utter_quick_exit"]
    return "out_of_scope", ["utter_anything_else"]


@dataclass
class FakeRasa:
    """An on_new_message that behaves like Rasa's, and remembers what reached it."""

    agent: Any
    received: list[UserMessage] = field(default_factory=list)
    slow_seconds: float = 5.0

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if message.text == SLOW_TEXT:
            await asyncio.sleep(self.slow_seconds)
        intent, responses = _script(message.text or "")
        channel = message.output_channel.name()  # Rasa picks variants by this name
        store = self.agent.tracker_store
        tracker = await store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, intent={"name": intent, "confidence": 1.0}))
        for response in responses:
            reply = (response_text(self.agent.domain, response, channel)
                     if isinstance(response, str) else dict(response))
            tracker.update(BotUttered(reply.get("text")))
            await message.output_channel.send_response(message.sender_id, dict(reply))
        await store.save(tracker)

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.received]


def make_agent(wrapped: bool = True) -> SimpleNamespace:
    """An agent as the channels see it; Rasa's Agent wraps its store in a FailSafeTrackerStore."""
    loaded = domain()
    store: Any = ForgetfulTrackerStore(loaded)
    return SimpleNamespace(domain=loaded,
                           tracker_store=FailSafeTrackerStore(store) if wrapped else store)


@contextlib.asynccontextmanager
async def serve(channel: InputChannel, on_new_message: Callable[[UserMessage], Any],
                agent: Any) -> AsyncIterator[str]:
    """The channel's blueprint in a real Sanic app on a free loopback port; yields its base URL.

    Mounted the way Rasa mounts input channels: under /webhooks/<name>.
    """
    # As sanic-testing does: lets several apps start in one process (Sanic re-compiles some
    # of its own methods at start-up, and only test mode keeps the originals to do it again).
    Sanic.test_mode = True
    app = Sanic(f"channels_{uuid.uuid4().hex}")
    app.config.ACCESS_LOG = False
    app.ctx.agent = agent
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True,
                                     access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    port = server.server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


# ---- a fake Telegram Bot API -------------------------------------------------------------------

@dataclass
class BotApiCall:
    token: str
    method: str
    params: dict[str, Any]


@dataclass
class FakeBotApi:
    """Records Bot API calls; answers like Telegram (or fails, when told to)."""

    url: str = ""
    calls: list[BotApiCall] = field(default_factory=list)
    fail_with: str | None = None  # a Bot API error description, e.g. "Forbidden: ..."
    refuse_html: bool = False  # answer HTML parse-mode messages as Telegram does bad markup
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, call: BotApiCall) -> None:
        with self._lock:
            self.calls.append(call)

    def of(self, method: str) -> list[BotApiCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    @property
    def api_url(self) -> str:
        """What TELEGRAM_API_URL is set to: python-telegram-bot appends the token."""
        return f"{self.url}/bot"


def _decode(raw: bytes, content_type: str) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        return json.loads(raw or b"{}")
    fields = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
    decoded: dict[str, Any] = {}
    for key, value in fields.items():
        try:
            decoded[key] = json.loads(value) if value[:1] in "[{" or value in (
                "true", "false") else value
        except ValueError:
            decoded[key] = value
    return decoded


def _handler(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def do_POST(self) -> None:
            _, bot_token, method = self.path.split("/", 2)
            length = int(self.headers.get("content-length") or 0)
            params = _decode(self.rfile.read(length), self.headers.get("content-type", ""))
            api.record(BotApiCall(bot_token.removeprefix("bot"), method, params))
            if api.fail_with:
                code = 403 if api.fail_with.startswith("Forbidden") else 400
                self._reply(code, {"ok": False, "error_code": code,
                                   "description": api.fail_with})
            elif api.refuse_html and params.get("parse_mode") == "HTML":
                self._reply(400, {"ok": False, "error_code": 400, "description":
                                  "Bad Request: can't parse entities: unsupported start tag"})
            elif method == "sendMessage":
                self._reply(200, {"ok": True, "result": {
                    "message_id": len(api.calls), "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "text": params.get("text", ""),
                }})
            else:
                self._reply(200, {"ok": True, "result": True})

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextlib.contextmanager
def fake_bot_api() -> Any:
    api = FakeBotApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def settings(**overrides: Any) -> Settings:
    """Settings as bot.config.current() would give them, with a fixed hash key and a test-friendly timeout."""
    values: dict[str, Any] = {
        "session_ttl_seconds": 1800, "max_message_chars": 1000, "reply_timeout_seconds": 3.0,
        "sender_hash_key": b"channel-tests-hash-key", "webfront_token": "",
        "rasa_url": "http://127.0.0.1:5005", "rate_limit_per_minute": 20,
    }
    values.update(overrides)
    return Settings(**values)
