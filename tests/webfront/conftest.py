"""Fixtures for the web front: a real fake Rasa on loopback, the app, and headless Chromium.

Only the network edge is replaced: the app really sends HTTP to a local server that imitates
Rasa's web channel (token check, sender check, replies, forget) and records what arrived, so a
test can prove what Rasa was, and was not, sent.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.webfront import create_app
from bot.webfront.config import WebfrontConfig

# Shared with the test files through tests.support (kept importable from here too).
from tests.support.domain import DOMAIN_FILE, domain_text  # noqa: F401
from tests.support.ports import free_port  # noqa: F401
from tests.support.webfront import TOKEN, default_reply, make_settings, tab_id  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_TAB_ID = re.compile(r"[A-Za-z0-9-]{16,64}")

NEUTRAL_PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Weather</title></head><body><h1>Weather today</h1><p>Sunny spells.</p></body></html>"""



@dataclass
class FakeRasa:
    """Imitates bot.channels.web on loopback and records every call it gets."""

    url: str = ""
    mode: str = "ok"  # ok | error | garbage | slow | empty
    slow_seconds: float = 2.0
    reply: Callable[[str], list[dict[str, Any]]] = default_reply
    calls: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
        self.mode = "ok"
        self.reply = default_reply

    def record(self, path: str, authorised: bool, body: Any) -> None:
        with self.lock:
            self.calls.append({"path": path, "authorised": authorised, "body": body})

    def received(self, path: str = "/webhooks/web/webhook") -> list[dict[str, Any]]:
        with self.lock:
            return [c["body"] for c in self.calls if c["path"] == path and c["authorised"]]

    def messages(self) -> list[str]:
        return [b.get("message") for b in self.received() if isinstance(b, dict)]

    def forgotten(self) -> list[str]:
        return [b.get("sender") for b in self.received("/webhooks/web/forget")
                if isinstance(b, dict)]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()


def _handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The app may have given up waiting (the slow-Rasa test).
            with contextlib.suppress(BrokenPipeError):
                self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/neutral":
                self._send(200, NEUTRAL_PAGE, "text/html; charset=utf-8")
            else:
                self._send(404, b"{}")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            authorised = self.headers.get("X-Webfront-Token") == TOKEN
            fake.record(self.path, authorised, body)
            if not authorised:
                self._send(403, b'{"error": "forbidden"}')
                return
            sender = body.get("sender") if isinstance(body, dict) else None
            if not isinstance(sender, str) or not _TAB_ID.fullmatch(sender):
                self._send(400, b'{"error": "bad sender"}')
                return
            if self.path == "/webhooks/web/forget":
                self._send(200, b'{"forgotten": true}')
            elif self.path == "/webhooks/web/webhook":
                self._answer(body.get("message"))
            else:
                self._send(404, b"{}")

        def _answer(self, message: Any) -> None:
            if fake.mode == "error":
                self._send(500, b"Internal Server Error", "text/plain")
            elif fake.mode == "garbage":
                self._send(200, b"<html>not json</html>", "text/html")
            elif fake.mode == "empty":
                self._send(200, b"[]")
            else:
                if fake.mode == "slow":
                    time.sleep(fake.slow_seconds)
                self._send(200, json.dumps(fake.reply(str(message))).encode())

    return Handler


@pytest.fixture(scope="session")
def fake_rasa_server() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_rasa(fake_rasa_server: FakeRasa) -> FakeRasa:
    fake_rasa_server.reset()
    return fake_rasa_server


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(fake_rasa: FakeRasa) -> AppFactory:
    """Build an app against the fake Rasa; keyword overrides go to Settings or WebfrontConfig."""
    config_fields = set(WebfrontConfig.__dataclass_fields__)

    def build(**overrides: Any) -> Flask:
        config_overrides = {k: v for k, v in overrides.items() if k in config_fields}
        settings_overrides = {k: v for k, v in overrides.items() if k not in config_fields}
        settings = make_settings(settings_overrides.pop("rasa_url", fake_rasa.url),
                                 **settings_overrides)
        config = WebfrontConfig(**{"exit_url": f"{fake_rasa.url}/neutral", **config_overrides})
        app = create_app(settings, webfront=config)
        app.testing = True
        return app

    return build


@pytest.fixture
def client(make_app: AppFactory) -> FlaskClient:
    return make_app().test_client()


# ---- browser fixtures ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def serve_app() -> Iterator[Callable[[Flask], str]]:
    """Serve an app with waitress on a free loopback port, as in production."""
    from waitress import create_server

    servers = []

    def start(app: Flask) -> str:
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        servers.append(server)
        threading.Thread(target=server.run, daemon=True).start()
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def live_url(make_app: AppFactory, serve_app: Callable[[Flask], str]) -> str:
    return serve_app(make_app())


@pytest.fixture
def new_page(chromium: Any) -> Iterator[Callable[..., Any]]:
    """A page in a fresh browser context (its own storage and cookies), closed afterwards."""
    contexts = []

    def open_page(width: int = 1280, height: int = 800) -> Any:
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5000)
        page.problems = []  # console errors and page errors, e.g. a CSP violation
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()
