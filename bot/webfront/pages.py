"""The pages people see: the chat, and how to leave no trace on a shared device."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from bot.webfront.responses import UNAVAILABLE
from bot.webfront.state import state

pages = Blueprint("webfront_pages", __name__)


def _page(template: str, **context: object) -> str:
    return render_template(template, exit_url=state().config.exit_url, **context)


@pages.get("/")
def chat_page() -> str:
    # The page shows this itself if it cannot reach the server at all.
    return _page("chat.html", unavailable_text=state().responses.text(UNAVAILABLE))


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
