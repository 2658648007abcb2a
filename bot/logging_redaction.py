"""Keeps what people write, and who they are, out of the logs.

Rasa logs whole messages at DEBUG, and an exception can carry a phone number in its text. Every
process the product runs installs this filter on its log handlers (bot/logging.yml), so even a
mistaken DEBUG setting cannot write a survivor's words or number to disk.
"""

from __future__ import annotations

import logging
import re

# Loggers that put user text, entities or sender ids into their DEBUG/INFO records.
_TEXT_BEARING = (
    "rasa.core.processor", "rasa.core.channels", "rasa.core.actions", "rasa.core.policies",
    "rasa.nlu", "rasa.core.agent", "rasa.core.tracker_store", "rasa.core.lock_store",
    "rasa_sdk", "rasa.core.nlg", "rasa.shared.core", "bot.channels",
)
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d\s().-]{8,}\d(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_LONG_DIGITS = re.compile(r"\b\d{6,}\b")
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
REDACTED = "[redacted]"


def scrub(text: str) -> str:
    """Replace phone numbers, e-mail addresses, bot tokens and long ids (chat ids) in a string."""
    text = _BOT_TOKEN.sub(REDACTED, text)
    text = _EMAIL.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    return _LONG_DIGITS.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and record.name.startswith(_TEXT_BEARING):
            return False
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            # Keep the exception type and place, drop its message (it may quote input).
            exc_type = record.exc_info[0].__name__ if record.exc_info[0] else "Exception"
            record.msg = f"{record.msg} [{exc_type}]"
            record.exc_info = None
            record.exc_text = None
        return True


def install(level: int = logging.INFO) -> None:
    """Configure the root logger for our own processes (web front, CLI)."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
