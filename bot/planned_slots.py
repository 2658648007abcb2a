"""The name under which an action hands the slots it is about to set to the responses it sends.

Kept apart from bot/nlg.py so the action server can use it without importing Rasa's NLG.
"""

from __future__ import annotations

from typing import Any

PLANNED_SLOTS = "planned_slots"


def planned(**slots: Any) -> dict[str, dict[str, Any]]:
    """Keyword arguments for `dispatcher.utter_message(response=..., **planned(reply=...))`."""
    return {PLANNED_SLOTS: dict(slots)}
