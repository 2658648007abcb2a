"""Checks and cleans what a person sends before any of it reaches the NLU.

A 100,000-character message cost stock Rasa 32 s and 11.7 GB, and text starting with "/" is
read by Rasa as a command that can trigger any intent. Every channel passes user text through
here: it is cleaned, refused early when unusable, and only the bot's own button payloads may
start with "/".
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from services_directory.vocabulary import GENERAL_TOPIC, TOPICS

# Payloads the bot itself offers on buttons: "/intent" for a known intent, optionally with a
# location entity, e.g. /inform_location{"location": "Hackney"}.
BUTTON_INTENTS = (frozenset(TOPICS) - {GENERAL_TOPIC}) | {
    "find_support", "inform_location", "safe_contact", "quick_exit", "affirm", "deny",
}
_PAYLOAD = re.compile(r'^/(?P<intent>[a-z_]+)(?P<entities>\{"location": ?"[A-Za-z &\'-]{1,40}"\})?$')

REFUSED_TOO_LONG = '/nlu_fallback{"refused_too_long": "yes"}'
REFUSED_EMPTY = '/nlu_fallback{"refused_empty": "yes"}'
REFUSED_RATE = '/nlu_fallback{"refused_rate": "yes"}'

# Zero-width characters, the soft hyphen and bidirectional overrides/isolates.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None
)


@dataclass(frozen=True)
class GuardedText:
    """What to send to Rasa: cleaned text, a button payload, or a refusal marker."""

    text: str
    refused: bool = False


def is_button_payload(text: str) -> bool:
    match = _PAYLOAD.match(text)
    if not match or match.group("intent") not in BUTTON_INTENTS:
        return False
    if match.group("entities"):
        try:
            json.loads(match.group("entities"))
        except ValueError:
            return False
    return True


def clean(text: str) -> str:
    """Drop control, bidi-override and zero-width characters; keep letters in every script."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    kept = [ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text]
    return " ".join("".join(kept).split())


REFUSAL_MARKERS = frozenset({REFUSED_TOO_LONG, REFUSED_EMPTY, REFUSED_RATE})


def guard(raw: object, max_chars: int) -> GuardedText:
    """Turn whatever arrived into something safe to hand to Rasa.

    A refusal marker made by the web front passes unchanged, so a refusal decided there is
    answered by the same rule as one decided here.
    """
    if isinstance(raw, str) and raw in REFUSAL_MARKERS:
        return GuardedText(str(raw), refused=True)
    if not isinstance(raw, str):
        return GuardedText(REFUSED_EMPTY, refused=True)
    # Measure before cleaning: a huge message is refused without building more copies of it.
    if len(raw) > max_chars * 4:
        return GuardedText(REFUSED_TOO_LONG, refused=True)
    text = clean(raw)
    if not text:
        return GuardedText(REFUSED_EMPTY, refused=True)
    if len(text) > max_chars:
        return GuardedText(REFUSED_TOO_LONG, refused=True)
    if text.startswith("/") and not is_button_payload(text):
        text = text.lstrip("/ ").strip() or ""
        if not text:
            return GuardedText(REFUSED_EMPTY, refused=True)
    return GuardedText(text)
