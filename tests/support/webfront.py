"""The fake Rasa's constants and canned replies, and the page helpers the web-front browser tests
share (tests/webfront)."""

from __future__ import annotations

import os
from typing import Any

from bot.settings import Settings

TOKEN = "test-webfront-token"
GREETING = "Hello. I'm an automated helper, not a person."
XSS_REPLY = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'


def tab_id() -> str:
    return os.urandom(12).hex()


def default_reply(message: str) -> list[dict[str, Any]]:
    """A few canned behaviours of the real bot, enough to drive the page."""
    if message == "hello":
        return [{"text": GREETING, "buttons": [
            {"title": "Find support near me", "payload": "/find_support"},
            {"title": "Is this abuse?", "payload": "/coercive_control"},
        ]}]
    if message == "/find_support":
        return [{"text": "Which London borough or postcode are you in?"}]
    if message.lower() == "exit":
        return [{"text": "Leaving now. This conversation has been deleted.", "quick_exit": True}]
    if message == "show me markup":
        return [{"text": XSS_REPLY}]
    return [{"text": f"Echo: {message}"}]


# The page's bot bubbles, for browser tests.
BOT = "#log .message-bot .message-text"


def open_chat(new_page, url, **size):
    page = new_page(**size)
    page.goto(url + "/")
    page.locator(BOT).first.wait_for()
    return page


def send(page, text):
    page.fill("#message", text)
    page.press("#message", "Enter")


def make_settings(rasa_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "session_ttl_seconds": 1800,
        "max_message_chars": 1000,
        "reply_timeout_seconds": 1.8,
        "sender_hash_key": b"test-key",
        "webfront_token": TOKEN,
        "rasa_url": rasa_url,
        "rate_limit_per_minute": 20,
    }
    values.update(overrides)
    return Settings(**values)
