"""Runs the web front with waitress, a production WSGI server that needs no C extensions."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from flask import Flask
from waitress import serve as waitress_serve

from bot.webfront.app import create_app
from bot.webfront.config import WebfrontConfig

# Waitress buffers a whole body before Flask sees it; past this it refuses on its own (Flask
# already refuses anything over 16 KB with a kind reply).
WAITRESS_MAX_BODY_BYTES = 1024 * 1024


def _configure_logging() -> None:
    """The project-wide redacting filter on every handler: no message text or numbers in logs."""
    from bot.logging_redaction import RedactingFilter

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())


def serve(*, extra_setup: Callable[[Flask], None] | None = None) -> None:
    """Entry point of `python -m bot.webfront`: WEBFRONT_HOST / WEBFRONT_PORT, loopback by
    default so only a reverse proxy on the same machine can reach it."""
    _configure_logging()
    config = WebfrontConfig.from_env()
    app = create_app(extra_setup=extra_setup, webfront=config)
    logging.getLogger(__name__).info("web front on http://%s:%s/", config.host, config.port)
    # Each chat request waits on Rasa; waitress's default of 4 threads queued messages in front
    # of an idle Rasa under load (docs/performance.md). WEBFRONT_THREADS overrides.
    raw_threads = os.environ.get("WEBFRONT_THREADS", "").strip()
    threads = int(raw_threads) if raw_threads.isdigit() and int(raw_threads) > 0 else 16
    waitress_serve(app, host=config.host, port=config.port, threads=threads,
                   max_request_body_size=WAITRESS_MAX_BODY_BYTES, ident="")
