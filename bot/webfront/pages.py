"""The pages people see: the chat, and how to leave no trace on a shared device."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from bot.channels.cards import LABELS_RESPONSE, emergency_call, labels_from
from bot.safety.urgency import EMERGENCY_RESPONSE, SELF_HARM_RESPONSE
from bot.webfront.page_checks import page_checks
from bot.webfront.responses import UNAVAILABLE
from bot.webfront.state import state

pages = Blueprint("webfront_pages", __name__)


def _page(template: str, **context: object) -> str:
    return render_template(template, exit_url=state().config.exit_url,
                           call_label=_call_label(), max_chars=state().settings.max_message_chars, **context)


def _call_label() -> str:
    """The words of the large emergency call link, from utter_emergency's `custom` in
    domain.yml; the bare number if domain.yml cannot be read."""
    for variant in state().responses.variants(EMERGENCY_RESPONSE):
        call = emergency_call(variant) if isinstance(variant, dict) else None
        if call is not None:
            return call.get("call_label") or call["call"]
    return "999"


@pages.get("/")
def chat_page() -> str:
    # The page's own copy of what it must say when our server cannot answer in time: the
    # emergency advice (when the message signals danger), or suicide support, then the helpline.
    responses = state().responses
    return _page("chat.html",
                 unavailable_text=responses.text(UNAVAILABLE),
                 emergency_text=responses.text(EMERGENCY_RESPONSE),
                 self_harm_text=responses.text(SELF_HARM_RESPONSE),
                 reply_timeout_ms=round(state().config.page_reply_timeout_seconds * 1000),
                 checks=page_checks(),
                 card_labels=labels_from(responses.variants(LABELS_RESPONSE)))


@pages.get("/leaving-no-trace")
def leaving_no_trace() -> str:
    return _page("leaving_no_trace.html")


@pages.get("/healthz")
def healthz() -> Response:
    """Liveness only: whether Rasa answers is the fallback's job, not the load balancer's."""
    return jsonify(status="ok")


@pages.get("/favicon.ico")
def favicon() -> tuple[str, int]:
    """Browsers ask for it; answering stops a 404 in the logs for every visit."""
    return "", 204
