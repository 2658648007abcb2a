"""Talks to Rasa's web channel on loopback, and treats every failure as "unavailable".

The caller decides what the person sees when Rasa cannot answer; this module only makes sure a
failure is a None, never an exception, a hang or a half-trusted reply.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import requests

from bot.channels.cards import call_fields, card_fields

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Webfront-Token"  # the same header bot.channels.web checks
WEBHOOK_PATH = "/webhooks/web/webhook"
FORGET_PATH = "/webhooks/web/forget"


def public_messages(raw: Any) -> list[dict[str, Any]] | None:
    """Keep only what the page shows (text, buttons, the quick-exit signal, a service card,
    the emergency call), all as plain strings."""
    if not isinstance(raw, list):
        return None
    messages = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        message: dict[str, Any] = {}
        if isinstance(item.get("text"), str) and item["text"]:
            message["text"] = item["text"]
        buttons = [
            {"title": b["title"], "payload": b["payload"]}
            for b in item.get("buttons") or []
            if isinstance(b, dict) and isinstance(b.get("title"), str)
            and isinstance(b.get("payload"), str) and b["title"] and b["payload"]
        ] if isinstance(item.get("buttons"), list) else []
        if buttons:
            message["buttons"] = buttons
        if item.get("quick_exit") is True:
            message["quick_exit"] = True
        card = card_fields(item.get("service_card"))
        if card is not None:
            message["service_card"] = card
        call = call_fields(item.get("emergency"))
        if call is not None:
            message["emergency"] = call
        if message:
            messages.append(message)
    return messages


class RasaClient:
    def __init__(self, base_url: str, token: str, *, timeout: float, forget_timeout: float):
        self._base = base_url.rstrip("/")
        self._headers = {TOKEN_HEADER: token}
        self._timeout = timeout
        self._forget_timeout = forget_timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        """One keep-alive session per thread; never through a proxy from the environment, which
        would see what people write."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
        return session

    def chat(self, sender: str, text: str) -> list[dict[str, Any]] | None:
        """Rasa's replies, or None when it is down, slow, refuses us or answers nonsense."""
        try:
            reply = self._session().post(
                self._base + WEBHOOK_PATH, json={"sender": sender, "message": text},
                headers=self._headers, timeout=(1.0, self._timeout),
            )
        except requests.RequestException as error:
            logger.warning("Rasa unreachable: %s", type(error).__name__)
            return None
        if reply.status_code != 200:
            logger.warning("Rasa answered HTTP %s", reply.status_code)
            return None
        try:
            messages = public_messages(reply.json())
        except ValueError:
            messages = None
        if messages is None:
            logger.warning("Rasa answered something that is not a list of messages")
        return messages

    def forget(self, sender: str) -> bool:
        """Ask Rasa to delete the conversation; False (logged) when it could not be asked."""
        try:
            reply = self._session().post(
                self._base + FORGET_PATH, json={"sender": sender}, headers=self._headers,
                timeout=(min(1.0, self._forget_timeout), self._forget_timeout),
            )
        except requests.RequestException as error:
            logger.warning("forget not delivered: %s", type(error).__name__)
            return False
        if reply.status_code != 200:
            logger.warning("forget refused: HTTP %s", reply.status_code)
            return False
        return True
