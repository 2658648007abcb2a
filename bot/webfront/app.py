"""The app factory: nothing is built or read until someone asks for an app."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bot.config import ChannelSecrets
from bot.rate_limit import SlidingWindowLimiter
from bot.settings import Settings
from bot.webfront.api import api
from bot.webfront.config import WebfrontConfig
from bot.webfront.fallback_channels import fallback_channels
from bot.webfront.limits import AddressLimits
from bot.webfront.pages import pages
from bot.webfront.proxy import ProxyTrust, parse_networks
from bot.webfront.rasa_client import RasaClient
from bot.webfront.responses import REFUSED_TOO_LONG, UNAVAILABLE, DomainResponses
from bot.webfront.security import add_security_headers
from bot.webfront.state import EXTENSION_KEY, WebfrontState
from bot.webfront.transport import SecureTransport

logger = logging.getLogger(__name__)

# The web front's own calls answer with a list of messages, which the page shows as replies.
MESSAGE_PATHS = ("/api/chat", "/api/forget")


def create_app(
    settings: Settings | None = None,
    *,
    extra_setup: Callable[[Flask], None] | None = None,
    webfront: WebfrontConfig | None = None,
    channel_secrets: ChannelSecrets | None = None,
) -> Flask:
    """Build the web front. `extra_setup` mounts more (the staff admin, the read API) on the
    same app, after the routes and before it serves anything."""
    if settings is None or webfront is None or channel_secrets is None:
        from bot.config import current

        config = current()
        settings = settings or config.channels
        webfront = webfront or config.web
        channel_secrets = channel_secrets or config.secrets
    if not settings.webfront_token:
        logger.warning("WEBFRONT_TOKEN is not set: Rasa will refuse us and every reply will be "
                       "the fallback")

    app = Flask(__name__)
    # Bodies are refused before they are read or parsed: a huge message is the cheapest attack.
    app.config["MAX_CONTENT_LENGTH"] = webfront.max_body_bytes
    trust = ProxyTrust(parse_networks(webfront.trusted_proxies))
    app.extensions[EXTENSION_KEY] = WebfrontState(
        settings=settings,
        config=webfront,
        responses=DomainResponses(webfront.domain_file),
        rasa=RasaClient(settings.rasa_url, settings.webfront_token,
                        timeout=webfront.rasa_timeout_seconds,
                        forget_timeout=webfront.forget_timeout_seconds),
        limiter=SlidingWindowLimiter(settings.rate_limit_per_minute),
        trust=trust,
        address_limits=AddressLimits(webfront.address_rate_per_minute, webfront.total_in_flight,
                                     webfront.address_in_flight),
        channel_secrets=channel_secrets,
    )
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_blueprint(fallback_channels)
    app.after_request(add_security_headers)
    app.after_request(_empty_options_is_no_content)
    _register_error_handlers(app)
    app.wsgi_app = SecureTransport(app.wsgi_app, trust, webfront.hsts_seconds)  # type: ignore[method-assign]
    if extra_setup is not None:
        extra_setup(app)
    return app


def _empty_options_is_no_content(response: Response) -> Response:
    """Flask answers OPTIONS itself with an empty text/html 200; say plainly there is no body."""
    if request.method == "OPTIONS" and response.status_code == 200 and not response.get_data():
        response.status_code = 204
        del response.headers["Content-Type"]
    return response


def _register_error_handlers(app: Flask) -> None:
    """Every error is JSON in kind words: a list of messages on the chat's own paths (the page
    shows them like any reply), an object with the reason elsewhere."""

    def kind(name: str, status: int, reason: str) -> tuple[Response, int]:
        text = app.extensions[EXTENSION_KEY].responses.text(name)
        if request.path in MESSAGE_PATHS:
            return jsonify([{"text": text}]), status
        return jsonify(error=reason, text=text), status

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> tuple[Response, int]:
        return kind(REFUSED_TOO_LONG, 413, "the request body is too large")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        response, code = kind(UNAVAILABLE, error.code or 400, (error.name or "error").lower())
        # Keep what the error must say besides its body (Allow on a 405, Retry-After...).
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response, code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        # Only the type: an exception's text can carry what the person wrote. A 503, not a
        # 500: nothing the person did caused it, and trying again may well work.
        logger.error("unhandled %s on %s", type(error).__name__, request.path)
        return kind(UNAVAILABLE, 503, "temporarily unavailable")
