"""The app factory: nothing is built or read until someone asks for an app."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bot.rate_limit import SlidingWindowLimiter
from bot.settings import Settings
from bot.webfront.api import api
from bot.webfront.config import WebfrontConfig
from bot.webfront.pages import pages
from bot.webfront.rasa_client import RasaClient
from bot.webfront.responses import REFUSED_TOO_LONG, UNAVAILABLE, DomainResponses
from bot.webfront.security import add_security_headers
from bot.webfront.state import EXTENSION_KEY, WebfrontState

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    extra_setup: Callable[[Flask], None] | None = None,
    webfront: WebfrontConfig | None = None,
) -> Flask:
    """Build the web front. `extra_setup` mounts more (the staff admin, the read API) on the
    same app, after the routes and before it serves anything."""
    settings = settings or Settings.from_env()
    webfront = webfront or WebfrontConfig.from_env()
    if not settings.webfront_token:
        logger.warning("WEBFRONT_TOKEN is not set: Rasa will refuse us and every reply will be "
                       "the fallback")

    app = Flask(__name__)
    # Bodies are refused before they are read or parsed: a huge message is the cheapest attack.
    app.config["MAX_CONTENT_LENGTH"] = webfront.max_body_bytes
    app.extensions[EXTENSION_KEY] = WebfrontState(
        settings=settings,
        config=webfront,
        responses=DomainResponses(webfront.domain_file),
        rasa=RasaClient(settings.rasa_url, settings.webfront_token,
                        timeout=webfront.rasa_timeout_seconds,
                        forget_timeout=webfront.forget_timeout_seconds),
        limiter=SlidingWindowLimiter(settings.rate_limit_per_minute),
    )
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.after_request(add_security_headers)
    _register_error_handlers(app)
    if extra_setup is not None:
        extra_setup(app)
    return app


def _register_error_handlers(app: Flask) -> None:
    def responses() -> DomainResponses:
        return app.extensions[EXTENSION_KEY].responses

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> tuple[Response, int]:
        # The page shows this like any reply: a kind message, not an error.
        return jsonify([{"text": responses().text(REFUSED_TOO_LONG)}]), 413

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        code = error.code or 500
        if request.path.startswith("/api/"):
            return jsonify(error=error.name), code
        return error.name, code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response | str, int]:
        # Only the type: an exception's text can carry what the person wrote.
        logger.error("unhandled %s on %s", type(error).__name__, request.path)
        if request.path == "/api/chat":
            return jsonify([{"text": responses().text(UNAVAILABLE)}]), 500
        return "Something went wrong", 500
