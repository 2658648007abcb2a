"""Runs the web front with waitress, a production WSGI server that needs no C extensions.

Waitress answers some requests itself, before the app sees them (a body over its limit, a
malformed request line, headers too large); those answers are plain text by default, so here
they are the same kind JSON the app gives. Idle and half-sent connections cost waitress no
thread, only a slot: the slots are many and idle ones are closed after a short while. In
`make run` HAProxy stands in front as well (bot.webfront.edge), giving each request a deadline.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from bot.webfront.app import create_app
from bot.webfront.config import WebfrontConfig
from bot.webfront.responses import REFUSED_TOO_LONG, UNAVAILABLE, DomainResponses

# Waitress buffers a whole body before Flask sees it; past this it refuses on its own (Flask
# already refuses anything over 16 KB with a kind reply).
WAITRESS_MAX_BODY_BYTES = 1024 * 1024
# Far above what real headers need; a request over it gets waitress's 431, in our words.
WAITRESS_MAX_HEADER_BYTES = 64 * 1024


def _configure_logging() -> None:
    """The project-wide redacting filter on every handler: no message text or numbers in logs."""
    from bot.logging_redaction import RedactingFilter

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())


class KindErrorTask(ErrorTask):
    """Waitress's own refusals as a list of messages, like every other chat reply."""

    def execute(self) -> None:
        error = self.request.error
        responses: DomainResponses = self.channel.server.signpost_responses
        name = REFUSED_TOO_LONG if error.code == 413 else UNAVAILABLE
        body = json.dumps([{"text": responses.text(name)}]).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class KindChannel(HTTPChannel):
    error_task_class = KindErrorTask


def make_server(app: Flask, config: WebfrontConfig, *, host: str | None = None,
                port: int | None = None) -> Any:
    """A waitress server for `app` with our limits and error words; call .run() to serve.
    (Any: waitress picks its server class at run time and ships no types.)"""
    server = create_server(
        app,
        host=config.host if host is None else host,
        port=config.port if port is None else port,
        threads=config.threads,
        # Each connection costs a file descriptor, not a thread: allow many, close idle ones.
        connection_limit=config.connection_limit,
        channel_timeout=config.idle_timeout_seconds,
        cleanup_interval=max(1, config.idle_timeout_seconds // 2),
        asyncore_use_poll=True,  # select() stops working past 1,024 descriptors
        max_request_body_size=WAITRESS_MAX_BODY_BYTES,
        max_request_header_size=WAITRESS_MAX_HEADER_BYTES,
        ident="",  # no Server header: no version banner
    )
    server.channel_class = KindChannel
    server.signpost_responses = DomainResponses(config.domain_file)
    return server


def serve(*, extra_setup: Callable[[Flask], None] | None = None) -> None:
    """Entry point of `python -m bot.webfront`: WEBFRONT_HOST / WEBFRONT_PORT, loopback by
    default so only a reverse proxy on the same machine can reach it."""
    _configure_logging()
    from bot.config import current

    whole = current()  # a bad setting stops the start here, one line each
    config = whole.web
    app = create_app(whole.channels, extra_setup=extra_setup, webfront=config,
                     channel_secrets=whole.secrets)
    logging.getLogger(__name__).info("web front on http://%s:%s/", config.host, config.port)
    make_server(app, config).run()
