"""The two calls the page makes: send a message, and forget the conversation.

Whatever goes wrong, a person gets words back: Rasa's reply, or the emergency advice (when the
message signals danger) followed by the helpline. A malformed request gets a 4xx and the same
kind of words as JSON, never a 500 or a trace. Message text and tab ids are never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from bot.channels.input_guard import REFUSED_RATE, guard
from bot.safety.danger import signals_danger
from bot.safety.urgency import leading_responses
from bot.understanding.exit import wants_to_leave
from bot.webfront.parsing import BodyError, is_json_type, parse_object
from bot.webfront.responses import EMERGENCY, REFUSED_RATE_RESPONSE, UNAVAILABLE
from bot.webfront.state import client_address, state, valid_sender

logger = logging.getLogger(__name__)

api = Blueprint("webfront_api", __name__, url_prefix="/api")


@api.before_request
def refuse_other_sites() -> None:
    """Another site must not post into, or wipe, someone's conversation from their browser."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)


def say(*names: str, danger: bool = False, user_text: str = "") -> list[dict[str, Any]]:
    """Replies in domain.yml's words; the emergency advice (or suicide support) first when the
    message needs it (bot/safety/urgency.py, the same rule the channels use)."""
    responses = state().responses
    leading = leading_responses(user_text) or ((EMERGENCY,) if danger else ())
    return [{"text": responses.text(name)} for name in leading + names]


def refuse(status: int, *names: str, danger: bool = False) -> tuple[Response, int]:
    return jsonify(say(*names, danger=danger)), status


def fallback(user_text: str) -> list[dict[str, Any]]:
    """Danger first, then the helpline: what a person gets when the bot cannot answer."""
    if wants_to_leave(user_text):
        # The bot's greeting promises that typing exit leaves; that must hold with Rasa down,
        # in the person's own words too ("hes back gtg").
        return [{"quick_exit": True}]
    return say(UNAVAILABLE, user_text=user_text)


def _body(*, any_type: bool = False) -> dict[str, Any]:
    """The request's JSON object, or BodyError. The page always sends application/json;
    sendBeacon (forget) can only send text/plain, hence `any_type`."""
    if not any_type and not is_json_type(request.content_type):
        raise BodyError("send the message as application/json", 415)
    return parse_object(request.get_data(cache=False))


@api.post("/chat")
def chat() -> tuple[Response, int] | Response:
    current = state()
    try:
        body = _body()
    except BodyError as error:
        return refuse(error.status, UNAVAILABLE)
    sender = body.get("sender")
    if not valid_sender(sender):
        return refuse(400, UNAVAILABLE)
    raw = body.get("message")
    user_text = raw if isinstance(raw, str) else ""
    danger = signals_danger(user_text)

    address = client_address()
    limits = current.address_limits
    # Danger is never held back by the per-address rate; it still counts toward it.
    if not limits.rate.allow(address) and not danger:
        logger.info("refused: address over its rate")
        return refuse(429, REFUSED_RATE_RESPONSE)
    with limits.in_flight.slot(address) as admitted:
        if not admitted:
            logger.info("refused: no free slot for this address or in all")
            return jsonify(say(UNAVAILABLE, danger=danger, user_text=user_text)), 429
        return _answer(sender, raw, user_text, danger)


def _answer(sender: str, raw: Any, user_text: str, danger: bool) -> Response:
    current = state()
    if current.limiter.allow(sender):
        guarded = guard(raw, current.settings.max_message_chars)
        text, refused = guarded.text, guarded.refused
    else:
        text, refused = REFUSED_RATE, True

    replies = current.rasa.chat(sender, text)
    if not replies:
        logger.info("answered with the fallback")
        return jsonify(fallback(user_text))
    if refused and danger:
        # Rasa never read these words, so its own danger check could not run on them.
        replies.insert(0, {"text": current.responses.text(EMERGENCY)})
    return jsonify(replies)


@api.post("/forget")
def forget() -> tuple[str | Response, int]:
    """Quick, and 204 whenever there was a conversation to name: the page is already leaving
    and cannot wait or retry. Rasa being down is not the caller's fault, so still 204."""
    try:
        body = _body(any_type=True)
    except BodyError as error:
        return refuse(error.status, UNAVAILABLE)
    sender = body.get("sender")
    if not valid_sender(sender):
        return refuse(400, UNAVAILABLE)
    current = state()
    current.limiter.forget(sender)
    current.rasa.forget(sender)
    return "", 204
