"""The web chat in real headless Chromium, through the real web front, Rasa and action server:
a conversation, then quick exit, after which the real tracker store no longer has it."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.ports import free_port
from tests.support.stack import ROOT, Stack
from tests.support.stack import wait_until_up as _wait

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Neutral(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>Weather</title><h1>Sunny spells</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_front(stack: Stack) -> Iterator[tuple[str, str]]:
    neutral = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Neutral)
    threading.Thread(target=neutral.serve_forever, daemon=True).start()
    neutral_url = f"http://127.0.0.1:{neutral.server_address[1]}/weather"
    port = free_port()
    env = {**stack.env, "RASA_URL": stack.rasa_url, "WEBFRONT_PORT": str(port), "EXIT_URL": neutral_url}
    proc = subprocess.Popen([sys.executable, "-m", "bot.webfront"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/healthz", proc, 60)
        yield f"http://127.0.0.1:{port}", neutral_url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        neutral.shutdown()


def test_chat_then_quick_exit_forgets_on_the_real_server(stack: Stack, web_front: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    url, neutral_url = web_front
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                             args=CHROMIUM_ARGS)
        try:
            leaving, staying = browser.new_page(), browser.new_page()
            for page in (leaving, staying):
                page.goto(url + "/")
                page.get_by_text("not a person", exact=False).first.wait_for(timeout=30_000)
                page.fill("#message", "he reads all my messages and tracks my phone")
                page.press("#message", "Enter")
                page.get_by_text("not your fault", exact=False).first.wait_for(timeout=30_000)
            tab = leaving.evaluate("sessionStorage.getItem('tab')")
            other = staying.evaluate("sessionStorage.getItem('tab')")
            assert tab and other and tab != other

            leaving.click("#quick-exit")
            leaving.wait_for_url(neutral_url)
            leaving.go_back()
            assert not leaving.url.startswith(url), "Back returned to the chat"
            time.sleep(2)  # the forget beacon is sent as the page leaves

            assert stack.forget(tab)["forgotten"] is False, "the real server still had the conversation"
            assert stack.forget(other)["forgotten"] is True, "control: a tab that stayed keeps its conversation"
        finally:
            browser.close()
