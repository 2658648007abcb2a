"""The two calls the page makes: send a message, and forget the conversation.

Whatever goes wrong, a person gets words back: Rasa's reply, or the emergency advice (when the
message signals danger) followed by the helpline. Message text and tab ids are never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from bot.channels.input_guard import REFUSED_RATE, guard
from bot.safety.danger import signals_danger
from bot.webfront.responses import EMERGENCY, UNAVAILABLE
from bot.webfront.state import state, valid_sender

logger = logging.getLogger(__name__)

api = Blueprint("webfront_api", __name__, url_prefix="/api")


@api.before_request
def refuse_other_sites() -> None:
    """Another site must not post into, or wipe, someone's conversation from their browser."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)


def fallback(user_text: str) -> list[dict[str, Any]]:
    """Danger first, then the helpline: what a person gets when the bot cannot answer."""
    if user_text.strip(" .!").lower() == "exit":
        # The bot's greeting promises that typing exit leaves; that must hold with Rasa down.
        return [{"quick_exit": True}]
    responses = state().responses
    messages = []
    if signals_danger(user_text):
        messages.append({"text": responses.text(EMERGENCY)})
    messages.append({"text": responses.text(UNAVAILABLE)})
    return messages


@api.post("/chat")
def chat() -> tuple[Response, int] | Response:
    current = state()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="expected a JSON object"), 400
    sender = body.get("sender")
    if not valid_sender(sender):
        return jsonify(error="bad sender"), 400
    raw = body.get("message")
    user_text = raw if isinstance(raw, str) else ""

    if current.limiter.allow(sender):
        guarded = guard(raw, current.settings.max_message_chars)
        text, refused = guarded.text, guarded.refused
    else:
        text, refused = REFUSED_RATE, True

    replies = current.rasa.chat(sender, text)
    if not replies:
        logger.info("answered with the fallback")
        return jsonify(fallback(user_text))
    if refused and signals_danger(user_text):
        # Rasa never read these words, so its own danger check could not run on them.
        replies.insert(0, {"text": current.responses.text(EMERGENCY)})
    return jsonify(replies)


@api.post("/forget")
def forget() -> tuple[str, int]:
    """Always quick and always 204: the page is already leaving and cannot wait or retry."""
    # sendBeacon posts text/plain, so the body is read as JSON whatever its declared type.
    body = request.get_json(force=True, silent=True)
    sender = body.get("sender") if isinstance(body, dict) else None
    if valid_sender(sender):
        current = state()
        current.limiter.forget(sender)
        current.rasa.forget(sender)
    return "", 204
