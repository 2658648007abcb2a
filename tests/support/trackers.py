"""A rasa_sdk Tracker for one message, as the action server sees it: what plan_reply reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Tracker


def message_tracker(text: str, intent: str, slots: dict[str, Any],
                    entities: Sequence[dict[str, Any]] = ()) -> Tracker:
    """The latest message with its intent and entities; the speaker is "self" unless a slot says."""
    latest = {"text": text, "intent": {"name": intent}, "entities": list(entities)}
    return Tracker("t", {"speaker": "self", **slots}, latest, [], False, None, {}, "")
