"""SMS and Telegram while Rasa is away (restarting after a crash, or loading its model).

The edge proxy (bot.webfront.edge) sends Twilio's and Telegram's webhooks here only when Rasa
does not answer. Nothing here reads or keeps a conversation: a request is checked exactly as
the real channel checks it (Twilio's signature, Telegram's secret token), and the answer is
the emergency advice when the message signals danger, then the helpline, in domain.yml's
words for that channel, inside the webhook's own response so no outgoing call is needed.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.safety.urgency import leading_responses
from bot.webfront.parsing import BodyError, parse_object
from bot.webfront.responses import UNAVAILABLE
from bot.webfront.state import state

logger = logging.getLogger(__name__)

fallback_channels = Blueprint("webfront_fallback_channels", __name__, url_prefix="/webhooks")

TWILIO_SIGNATURE = "X-Twilio-Signature"
TELEGRAM_SECRET = "X-Telegram-Bot-Api-Secret-Token"


def _error(reason: str, status: int) -> tuple[Response, int]:
    return jsonify(error=reason, text=state().responses.text(UNAVAILABLE)), status


def _texts(user_text: str, channel: str) -> list[str]:
    responses = state().responses
    names = (*leading_responses(user_text), UNAVAILABLE)
    return [responses.text(name, channel) for name in names]


@fallback_channels.post("/sms/webhook")
def sms() -> Response | tuple[Response, int]:
    from twilio.request_validator import RequestValidator
    from twilio.twiml.messaging_response import MessagingResponse

    secrets = state().channel_secrets
    token, public_url = secrets.twilio_auth_token, secrets.sms_public_url
    if not token or not public_url:
        return _error("the SMS channel is not configured", 503)
    form = request.form.to_dict(flat=True)
    signature = request.headers.get(TWILIO_SIGNATURE, "")
    if not signature or not RequestValidator(token).validate(public_url, form, signature):
        return _error("forbidden", 403)
    body = form.get("Body", "")
    reply = MessagingResponse()
    for text in _texts(body, "sms"):
        reply.message(text)
    logger.info("SMS answered by the fallback while Rasa is away")
    return Response(str(reply), mimetype="application/xml")


@fallback_channels.post("/telegram/webhook")
def telegram() -> Response | tuple[Response, int]:
    secrets = state().channel_secrets
    secret = secrets.telegram_secret_token
    if not secret or not secrets.telegram_bot_token:
        return _error("the Telegram channel is not configured", 503)
    given = request.headers.get(TELEGRAM_SECRET, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return _error("forbidden", 403)
    try:
        update = parse_object(request.get_data(cache=False))
    except BodyError as error:
        return _error(error.reason, error.status)
    message: Any = update.get("message") or update.get("edited_message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        return jsonify(ok=True)  # nothing to answer (a callback, an edit without a chat)
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    logger.info("Telegram answered by the fallback while Rasa is away")
    # Telegram accepts one method call as the webhook's response: one message, danger first.
    return jsonify(method="sendMessage", chat_id=chat_id, text="\n\n".join(_texts(text, "telegram")))
