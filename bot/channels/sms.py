"""The SMS input channel (Twilio), for people on a basic phone without data.

Rasa's stock Twilio channel never checks Twilio's signature, so anyone with the URL could post
as any phone number; it keys conversations by the raw number and sends replies with a blocking
call. Here every request must carry a valid X-Twilio-Signature, the number is only ever seen as
a keyed hash, and replies go back in the webhook response as TwiML, cut into SMS a basic phone
shows well (no emoji or markup, numbered choices, a few segments per message, a list of
services as one or two compact texts).
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.domain import Domain
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot import rasa_runtime
from bot.channels.cards import service_card
from bot.channels.conversation import (
    EMERGENCY_RESPONSE,
    QUICK_EXIT_RESPONSE,
    KeepsMeaningWithText,
    conversation_key,
    response_text,
    says,
    urgent_first,
)
from bot.channels.pipeline import MessagePipeline
from bot.channels.sms_cards import card_texts
from bot.channels.sms_text import button_lines, sms_bodies, to_plain
from bot.safety.danger import signals_danger
from bot.settings import Settings
from bot.stores.channel_state import channel_stores

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
HELP_RESPONSE = "utter_greet"

# Twilio answers these itself (opt-out / opt-in); a reply from us would be blocked or confusing.
OPT_OUT_KEYWORDS = frozenset({
    "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
EXIT_KEYWORDS = frozenset({"EXIT", "DELETE"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
MAX_BUTTONS = 9  # one digit per choice
MAX_FORM_BYTES = 64 * 1024  # a Twilio webhook is a couple of kilobytes
_DIGIT = re.compile(r"[1-9]")
_FORM_TYPE = "application/x-www-form-urlencoded"


class SmsCollector(KeepsMeaningWithText):
    """Collects Rasa's replies under the name that makes Rasa pick `channel: sms` variants."""

    @classmethod
    def name(cls) -> str:
        return "sms"


class OfferedButtons:
    """The payloads of the buttons last offered to each conversation, for a while.

    A person on SMS answers a choice with a digit; only the bot knows what the digit meant.
    Held in memory, keyed by the conversation key (never a number), bounded in size and time.
    """

    def __init__(self, ttl_seconds: float, max_conversations: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_conversations = max_conversations
        self._clock = clock
        self._offered: OrderedDict[str, tuple[float, tuple[str, ...]]] = OrderedDict()

    def remember(self, key: str, payloads: Sequence[str]) -> None:
        """What was offered just now; an answer without choices clears the old ones."""
        self._offered.pop(key, None)
        if payloads:
            self._offered[key] = (self._clock(), tuple(payloads))
            while len(self._offered) > self.max_conversations:
                self._offered.popitem(last=False)

    def payload(self, key: str, number: int) -> str | None:
        """The payload of choice `number` (counting from 1), if it was offered recently."""
        entry = self._offered.get(key)
        if entry is None:
            return None
        offered_at, payloads = entry
        if self._clock() - offered_at > self.ttl_seconds:
            self._offered.pop(key, None)
            return None
        return payloads[number - 1] if 1 <= number <= len(payloads) else None

    def forget(self, key: str) -> None:
        self._offered.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._offered


def render(messages: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """SMS blocks (one per bot message, one or two for a run of service cards) and the
    payloads behind the numbered choices."""
    blocks: list[str] = []
    payloads: list[str] = []
    cards: list[dict[str, str]] = []
    for message in messages:
        card = service_card(message)
        if card is not None:
            cards.append(card)
            continue
        blocks += card_texts(cards)
        cards = []
        lines = [to_plain(str(message.get("text") or ""))]
        room = MAX_BUTTONS - len(payloads)
        buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)][:room]
        lines += button_lines(buttons, first=len(payloads) + 1)
        payloads += [str(b.get("payload") or b.get("title") or "") for b in buttons]
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    blocks += card_texts(cards)
    return blocks, payloads


def twiml(bodies: Iterable[str]) -> HTTPResponse:
    reply = MessagingResponse()
    for body in bodies:
        reply.message(body)
    return response.text(str(reply), content_type="application/xml; charset=utf-8")


class _Throttled:
    """Logs a repeated warning at most once a minute, so a flood cannot flood the logs."""

    def __init__(self, message: str, every_seconds: float = 60.0) -> None:
        self.message = message
        self.every = every_seconds
        self._last = float("-inf")

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            logger.warning(self.message)


class SmsInput(InputChannel):
    """Twilio webhook at /webhooks/sms/webhook (credentials.yml: bot.channels.sms.SmsInput).

    Environment: TWILIO_AUTH_TOKEN (verifies signatures), SMS_PUBLIC_URL (the exact URL set in
    Twilio, query string included: Twilio signs it, so behind a proxy the server cannot work
    it out), SENDER_HASH_KEY, and the shared settings in bot.settings.
    """

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        rasa_runtime.install()  # Rasa builds channels once at start-up: patch its action path then
        from bot.config import current

        # Secrets come from the environment (through the one configuration), never from
        # credentials.yml.
        config = current()
        return cls(config.channels, auth_token=config.secrets.twilio_auth_token,
                   public_url=config.secrets.sms_public_url)

    def __init__(self, settings: Settings, auth_token: str = "", public_url: str = "") -> None:
        self.settings = settings
        self.public_url = public_url
        missing = [name for name, value in (("TWILIO_AUTH_TOKEN", auth_token),
                                            ("SMS_PUBLIC_URL", public_url)) if not value]
        self._validator = None if missing else RequestValidator(auth_token)
        if missing:
            logger.warning("sms channel disabled: %s not set", " and ".join(missing))
        stores = channel_stores(settings)  # in memory, or in Redis for replicas
        self.offered = stores.sms_choices()
        # Twilio retries a webhook it thinks failed, with the same MessageSid: answer once.
        self.seen = stores.delivery_ids("sms")
        # Exit forgets every piece of this channel's state about the conversation.
        self.pipeline = MessagePipeline("sms", settings, SmsCollector,
                                        forget_hooks=[self.offered.forget, self.seen.forget])
        self._warn_forged = _Throttled("sms webhook refused a request without a valid "
                                       "Twilio signature (check SMS_PUBLIC_URL)")

    @property
    def enabled(self) -> bool:
        return self._validator is not None

    def _signed_form(self, request: Request) -> RequestParameters | None:
        """The form Twilio posted, only if Twilio signed exactly this form for our URL."""
        signature = request.headers.get(SIGNATURE_HEADER, "")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not signature or content_type != _FORM_TYPE or self._validator is None:
            return None
        try:
            # Twilio signs blank values too, which sanic's own form parser drops.
            fields = parse_qs(request.body.decode("utf-8"), keep_blank_values=True,
                              strict_parsing=False)
        except UnicodeDecodeError:
            return None
        form = RequestParameters(fields)
        if not self._validator.validate(self.public_url, form, signature):
            return None
        return form

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        sms = Blueprint("sms_input", __name__)

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @sms.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("", status=503)
            if len(request.body or b"") > MAX_FORM_BYTES:
                return response.text("", status=413)
            form = self._signed_form(request)
            if form is None:
                self._warn_forged()
                return response.text("", status=403)
            sender, body = form.get("From"), form.get("Body")
            if not sender or body is None or not body.strip():
                return response.text("", status=400)
            key = conversation_key(self.settings.sender_hash_key, self.name(), sender)
            message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
            if message_sid and not self.seen.first_time(key, message_sid):
                return twiml([])
            replies = await self._handle(on_new_message, request.app.ctx.agent, key, body,
                                         form.get("OptOutType", ""))
            return twiml(replies)

        return sms

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      agent: Any, key: str, body: str, opt_out_type: str) -> list[str]:
        """The SMS bodies to send back for one incoming text."""
        domain = getattr(agent, "domain", None)
        text = body.strip()
        keyword = text.upper()
        if keyword in OPT_OUT_KEYWORDS or opt_out_type.upper() == "STOP":
            # They asked Twilio for no more texts: keep nothing about them either.
            await self.pipeline.forget(agent, key)
            return []
        if keyword in OPT_IN_KEYWORDS or opt_out_type.upper() == "START":
            return []
        word = keyword.rstrip(".! ")
        if word in EXIT_KEYWORDS:
            outcome = await self.pipeline.leave(agent, key)
            return self._bodies(key, outcome.messages, domain)
        if word in HELP_KEYWORDS:
            # A bare "HELP" is also how someone in danger might text: the danger rules say so,
            # and then the emergency response leads.
            names = [EMERGENCY_RESPONSE] if signals_danger(text) else []
            messages = [response_text(domain, name, "sms") for name in [*names, HELP_RESPONSE]]
            return self._bodies(key, messages, domain, keep_offered=True)
        choice = text.rstrip(". ")
        if _DIGIT.fullmatch(choice):
            payload = self.offered.payload(key, int(choice))
            if payload:
                text = payload
        outcome = await self.pipeline.handle(on_new_message, agent, key, text)
        return self._bodies(key, outcome.messages, domain)

    def _bodies(self, key: str, messages: Sequence[dict[str, Any]], domain: Domain | None,
                keep_offered: bool = False) -> list[str]:
        blocks, payloads = render(urgent_first(domain, "sms", messages))
        if says(domain, QUICK_EXIT_RESPONSE, messages):
            self.offered.forget(key)
        elif not keep_offered:
            self.offered.remember(key, payloads)
        return sms_bodies(blocks)
