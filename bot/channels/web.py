"""The input channel behind our web front.

Rasa's REST channel trusts any sender id and has no authentication. This one listens only for
the web front (a shared token, loopback), keys conversations by a keyed hash of the tab's random
id, and can forget a conversation on quick exit.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_runtime
from bot.channels.cards import emergency_call, service_card
from bot.channels.conversation import ChannelCollector, conversation_key
from bot.channels.pipeline import MessagePipeline
from bot.settings import Settings

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Webfront-Token"
_TAB_ID = re.compile(r"^[A-Za-z0-9-]{16,64}$")


class WebInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        rasa_runtime.install()  # Rasa builds channels once at start-up: patch its action path then
        from bot.config import current

        return cls(current().channels)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipeline = MessagePipeline("web", settings, lambda: ChannelCollector("web"))
        if not settings.webfront_token:
            logger.warning("web channel disabled: WEBFRONT_TOKEN is not set")

    def _authorised(self, request: Request) -> bool:
        sent = request.headers.get(TOKEN_HEADER, "")
        token = self.settings.webfront_token
        return bool(token) and hmac.compare_digest(sent.encode(), token.encode())

    def _sender(self, request: Request) -> str | None:
        body = request.json if isinstance(request.json, dict) else {}
        tab_id = body.get("sender")
        if not isinstance(tab_id, str) or not _TAB_ID.fullmatch(tab_id):
            return None
        return conversation_key(self.settings.sender_hash_key, "web", tab_id)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        web = Blueprint("web_input", __name__)

        @web.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.webfront_token else "disabled"})

        @web.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "forbidden"}, status=403)
            sender = self._sender(request)
            if sender is None:
                return response.json({"error": "bad sender"}, status=400)
            outcome = await self.pipeline.handle(on_new_message, request.app.ctx.agent, sender,
                                                 request.json.get("message"))
            return response.json([_public(m) for m in outcome.messages])

        @web.route("/forget", methods=["POST"])
        async def forget_conversation(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "forbidden"}, status=403)
            sender = self._sender(request)
            if sender is None:
                return response.json({"error": "bad sender"}, status=400)
            existed = await self.pipeline.forget_conversation(request.app.ctx.agent, sender)
            return response.json({"forgotten": existed})

        return web


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """Only what the page needs: text, buttons, the quick-exit signal, and what the message
    means when it says (a service card, the emergency call) for the page to show it."""
    out: dict[str, Any] = {}
    if message.get("text"):
        out["text"] = message["text"]
    if message.get("buttons"):
        out["buttons"] = [{"title": b.get("title", ""), "payload": b.get("payload", "")}
                          for b in message["buttons"]]
    custom = message.get("custom")
    if isinstance(custom, dict) and custom.get("quick_exit"):
        out["quick_exit"] = True
    card = service_card(message)
    if card is not None:
        out["service_card"] = card
    call = emergency_call(message)
    if call is not None:
        out["emergency"] = call
    return out
