"""No message text, phone number or chat id reaches the logs."""

from __future__ import annotations

import io
import logging

from bot.logging_redaction import RedactingFilter, scrub


def capture(logger_name: str, level: int, message: str, *args: object, exc: bool = False) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        if exc:
            try:
                raise ValueError("he hits me, call 07700 900123")
            except ValueError:
                logger.exception(message, *args)
        else:
            logger.log(level, message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_debug_records_from_text_bearing_loggers_are_dropped() -> None:
    out = capture("rasa.core.processor", logging.DEBUG, "Received user message 'he hits me'")
    assert out == ""


def test_phone_numbers_emails_and_long_ids_are_scrubbed() -> None:
    out = capture("bot.webfront", logging.WARNING, "from %s chat %s mail %s",
                  "+44 7700 900123", 123456789, "someone@example.org")
    assert "7700" not in out and "123456789" not in out and "example.org" not in out
    assert "[redacted]" in out


def test_exception_messages_are_dropped_but_the_type_is_kept() -> None:
    out = capture("bot.webfront", logging.ERROR, "failed", exc=True)
    assert "ValueError" in out
    assert "he hits me" not in out and "900123" not in out


def test_scrub_keeps_ordinary_words_and_short_numbers() -> None:
    assert scrub("reply took 25 ms on port 5005") == "reply took 25 ms on port 5005"


def test_telegram_bot_tokens_are_scrubbed() -> None:
    out = scrub("POST https://api.telegram.org/bot123456789:AAEhBP0av28-abcdefghijklmnopqrstuv/sendMessage")
    assert "AAEhBP0av28" not in out
