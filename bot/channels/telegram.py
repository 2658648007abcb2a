"""The Telegram input channel, built on python-telegram-bot.

Rasa's stock Telegram channel uses aiogram and only compares the bot's username, so anyone who
finds the webhook URL can post updates as any chat. Here every update must carry the secret
token Telegram was given in setWebhook (`signpost telegram set-webhook`), chats are only seen
as keyed hashes, a redelivered update is answered once, and replies are plain text: nothing
Telegram would render as markup, no link previews fetched on the person's behalf. The one
exception is a service card, sent in HTML parse mode with every value escaped
(bot/channels/telegram_cards.py).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.domain import Domain
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot import rasa_runtime
from bot.channels.cards import card_labels, service_card
from bot.channels.conversation import (
    QUICK_EXIT_RESPONSE,
    KeepsMeaningWithText,
    conversation_key,
    response_text,
    says,
    urgent_first,
)
from bot.channels.pipeline import MessagePipeline
from bot.channels.sms_text import split_to_fit
from bot.channels.telegram_cards import MAX_TEXT_UNITS, card_html, card_keyboard, utf16_units
from bot.config import DEFAULT_TELEGRAM_API_URL
from bot.settings import Settings
from bot.stores.channel_state import channel_stores

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_API_URL = DEFAULT_TELEGRAM_API_URL
HELP_RESPONSES = ("utter_greet", "utter_safe_contact")
START_TEXT = "hello"  # /start is a greeting to the NLU
# Telegram's rule for setWebhook's secret_token.
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_CALLBACK_BYTES = 64
_TOKEN_PREFIX = "#"


class TelegramCollector(KeepsMeaningWithText):
    """Collects Rasa's replies under the name that picks `channel: telegram` variants."""

    @classmethod
    def name(cls) -> str:
        return "telegram"


class LongPayloads:
    """Payloads too long for callback_data (64 bytes), behind short random tokens.

    Random rather than numbered, so a button pressed on an old keyboard can never be read as a
    choice on a newer one. Bound to the conversation that was offered it, bounded in number
    and age.
    """

    def __init__(self, ttl_seconds: float, size: int = 20_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.size = size
        self._clock = clock
        self._payloads: OrderedDict[str, tuple[str, str, float]] = OrderedDict()

    def token_for(self, key: str, payload: str) -> str:
        token = _TOKEN_PREFIX + secrets.token_urlsafe(9)
        self._payloads[token] = (key, payload, self._clock())
        while len(self._payloads) > self.size:
            self._payloads.popitem(last=False)
        return token

    def payload(self, key: str, token: str) -> str | None:
        entry = self._payloads.get(token)
        if entry is None or entry[0] != key:
            return None
        if self._clock() - entry[2] > self.ttl_seconds:
            self._payloads.pop(token, None)
            return None
        return entry[1]

    def forget(self, key: str) -> None:
        for token in [t for t, entry in self._payloads.items() if entry[0] == key]:
            del self._payloads[token]

    def held_for(self, key: str) -> int:
        return sum(1 for entry in self._payloads.values() if entry[0] == key)


class _RedactToken(logging.Filter):
    """httpx logs every request URL at INFO, and a Bot API URL contains the bot's token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad log call must not break a reply
            return True
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[bot-token]"), ()
        return True


def redact_token_in_logs(token: str) -> None:
    """Keep the bot token out of the records of the libraries that put it in URLs."""
    for name in ("httpx", "telegram.Bot"):
        target = logging.getLogger(name)
        if not any(isinstance(f, _RedactToken) and f.token == token for f in target.filters):
            target.addFilter(_RedactToken(token))


def make_bot(token: str, api_url: str = DEFAULT_API_URL) -> tuple[Bot, list[HTTPXRequest]]:
    """A Bot that makes no network call until asked to send something.

    Returns the request objects too: Bot.shutdown only closes them after Bot.initialize, which
    would call getMe at start-up.
    """
    redact_token_in_logs(token)
    requests = [HTTPXRequest(connection_pool_size=16, connect_timeout=5.0, read_timeout=10.0),
                HTTPXRequest()]
    bot = Bot(token, base_url=api_url, request=requests[0], get_updates_request=requests[1])
    return bot, requests


def _utf16_fits(text: str, _: int) -> bool:
    return utf16_units(text) <= MAX_TEXT_UNITS


def command(text: str | None) -> str | None:
    """The bot command a message starts with ("/help@OurBot now" -> "help"), if any."""
    if not text or not text.startswith("/"):
        return None
    first = text.split(maxsplit=1)[0][1:]
    return first.split("@", 1)[0].lower() or None


class TelegramInput(InputChannel):
    """Bot API webhook at /webhooks/telegram/webhook (bot.channels.telegram.TelegramInput).

    Environment: TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN (the setWebhook secret_token,
    1-256 of A-Z a-z 0-9 _ -), TELEGRAM_API_URL (optional, for a local Bot API server; the
    token is appended), SENDER_HASH_KEY, and the shared settings in bot.settings.
    """

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        rasa_runtime.install()  # Rasa builds channels once at start-up: patch its action path then
        from bot.config import current

        # Secrets come from the environment (through the one configuration), never from
        # credentials.yml.
        config = current()
        return cls(config.channels, bot_token=config.secrets.telegram_bot_token,
                   secret_token=config.secrets.telegram_secret_token,
                   api_url=config.secrets.telegram_api_url)

    def __init__(self, settings: Settings, bot_token: str = "", secret_token: str = "",
                 api_url: str = DEFAULT_API_URL) -> None:
        self.settings = settings
        self.bot_token = bot_token
        self.secret_token = secret_token
        self.api_url = api_url
        missing = [name for name, value in (("TELEGRAM_BOT_TOKEN", bot_token),
                                            ("TELEGRAM_SECRET_TOKEN", secret_token)) if not value]
        self.enabled = False
        if missing:
            logger.warning("telegram channel disabled: %s not set", " and ".join(missing))
        elif not SECRET_FORMAT.match(secret_token):
            logger.warning("telegram channel disabled: TELEGRAM_SECRET_TOKEN must be 1-256 "
                           "letters, digits, _ or -")
        else:
            self.enabled = True
            redact_token_in_logs(bot_token)
        stores = channel_stores(settings)  # in memory, or in Redis for replicas
        self.seen = stores.delivery_ids("telegram")
        self.long_payloads = stores.long_payloads()
        # Exit forgets every piece of this channel's state about the conversation.
        self.pipeline = MessagePipeline("telegram", settings, TelegramCollector,
                                        forget_hooks=[self.long_payloads.forget, self.seen.forget])
        self._bot: Bot | None = None
        self._requests: list[HTTPXRequest] = []

    def bot(self) -> Bot:
        """The one Bot this channel uses, made on first need (no network call at start)."""
        if self._bot is None:
            self._bot, self._requests = make_bot(self.bot_token, self.api_url)
        return self._bot

    async def close(self) -> None:
        for request in self._requests:
            await request.shutdown()
        self._bot, self._requests = None, []

    def _authorised(self, request: Request) -> bool:
        sent = request.headers.get(SECRET_HEADER, "")
        return self.enabled and hmac.compare_digest(sent.encode(), self.secret_token.encode())

    def _key(self, chat_id: int) -> str:
        return conversation_key(self.settings.sender_hash_key, self.name(), str(chat_id))

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        telegram = Blueprint("telegram_input", __name__)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("", status=503)
            if not self._authorised(request):
                return response.text("", status=403)
            update = self._parse(request)
            if update is None:
                return response.text("", status=400)
            key = self._conversation_of(update)
            # Only a private chat is answered; a redelivered update is answered once.
            if key is not None and self.seen.first_time(key, update.update_id):
                await self._handle(on_new_message, request.app.ctx.agent, update)
            return response.text("")

        @telegram.listener("after_server_stop")
        async def close_bot(*_: Any) -> None:
            await self.close()

        return telegram

    def _conversation_of(self, update: Update) -> str | None:
        """The conversation key of an update from a private chat (None for anything else: a
        group would show the conversation to everyone in it)."""
        query = update.callback_query
        message = query.message if query is not None else update.message
        chat = getattr(message, "chat", None)
        if chat is None or chat.type != ChatType.PRIVATE:
            return None
        return self._key(chat.id)

    def _parse(self, request: Request) -> Update | None:
        try:
            data = request.json
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return None
            return Update.de_json(data, self.bot())
        except Exception:  # a malformed update is refused, never a crash
            logger.warning("telegram webhook refused an update it could not parse")
            return None

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      agent: Any, update: Update) -> None:
        domain = getattr(agent, "domain", None)
        query = update.callback_query
        if query is not None:
            await self._acknowledge(query)
            chat = query.message.chat if query.message is not None else None
            if chat is None or chat.type != ChatType.PRIVATE:
                return
            key = self._key(chat.id)
            text: str | None = self._pressed(key, query)
        else:
            message = update.message
            if message is None or message.chat.type != ChatType.PRIVATE:
                # A group would show the conversation to everyone in it.
                return
            chat = message.chat
            key = self._key(chat.id)
            text = message.text
            asked = command(text)
            if asked == "start":
                text = START_TEXT
            elif asked == "help":
                await self._send(chat.id, key, [response_text(domain, name, self.name())
                                                for name in HELP_RESPONSES], domain)
                return
            elif asked == "exit":
                outcome = await self.pipeline.leave(agent, key)
                await self._send(chat.id, key, outcome.messages, domain)
                return
        outcome = await self.pipeline.handle(on_new_message, agent, key, text)
        await self._send(chat.id, key, outcome.messages, domain)

    async def _acknowledge(self, query: CallbackQuery) -> None:
        """Stop the button's spinner; the answer itself comes as a message."""
        try:
            await self.bot().answer_callback_query(query.id)
        except TelegramError as error:
            logger.warning("telegram answerCallbackQuery failed: %s", type(error).__name__)

    def _pressed(self, key: str, query: CallbackQuery) -> str | None:
        """What a pressed button stands for: its payload, or its title if that is forgotten."""
        data = query.data or ""
        if not data.startswith(_TOKEN_PREFIX):
            return data or None
        payload = self.long_payloads.payload(key, data)
        if payload is not None:
            return payload
        markup = getattr(query.message, "reply_markup", None)
        for row in getattr(markup, "inline_keyboard", ()) or ():
            for button in row:
                if button.callback_data == data:
                    return button.text
        return None

    def _keyboard(self, key: str, buttons: Sequence[Any]) -> InlineKeyboardMarkup | None:
        rows = []
        for button in buttons:
            if not isinstance(button, dict):
                continue
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or title)
            if not title:
                continue
            if len(payload.encode()) > MAX_CALLBACK_BYTES:
                payload = self.long_payloads.token_for(key, payload)
            rows.append([InlineKeyboardButton(title, callback_data=payload)])
        return InlineKeyboardMarkup(rows) if rows else None

    async def _send(self, chat_id: int, key: str, messages: Sequence[dict[str, Any]],
                    domain: Domain | None) -> None:
        """Send the replies in order, most urgent first; a failure stops the rest."""
        if says(domain, QUICK_EXIT_RESPONSE, messages):
            self.long_payloads.forget(key)
        labels = card_labels(domain)
        for message in urgent_first(domain, self.name(), messages):
            card = service_card(message)
            if card is not None and await self._deliver(
                    chat_id, card_html(card, labels), card_keyboard(card, labels), ParseMode.HTML):
                continue
            # Not a card, or a card Telegram would not take as HTML: its plain text instead,
            # so one refused card never silences the services and helplines after it.
            text = str(message.get("text") or "").strip()
            if not text:
                continue
            markup = self._keyboard(key, message.get("buttons") or [])
            parts = split_to_fit(text, 1, _utf16_fits)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                if not await self._deliver(chat_id, part, markup if last else None):
                    return

    async def _deliver(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None,
                       parse_mode: str | None = None) -> bool:
        """One sendMessage, never with a link preview fetched on the person's behalf; False
        when Telegram refused it (the rest of the reply is then not attempted)."""
        try:
            await self.bot().send_message(
                chat_id, text, reply_markup=markup, parse_mode=parse_mode,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramError as error:
            logger.warning("telegram sendMessage failed: %s", type(error).__name__)
            return False
        return True
