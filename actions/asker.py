"""Who is asking, from the conversation's slots, in the directory's own terms.

Search drops services the person cannot use and puts the lines made for them first, so it
must be told only what the conversation has actually said: an empty or unexpected slot value
means "not known" (search then filters nothing on it), never a guess.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from services_directory.asker import AGE_GROUPS, GENDERS, Asker

# The bot's `speaker` slot in the directory's words: "other" is someone worried about another.
ROLES = {"other": "supporter", "own_behaviour": "own_behaviour"}
_YES = frozenset({"yes", "true", True})


def _known(value: Any, allowed: tuple[str, ...]) -> Any:
    return value if value in allowed else None


def asker_fields(tracker: Tracker) -> dict[str, Any]:
    """The fields of services_directory.asker.Asker this conversation has told us."""
    return {
        "gender": _known(tracker.get_slot("gender"), GENDERS),
        "age_group": _known(tracker.get_slot("age_group"), AGE_GROUPS),
        "lgbt_plus": tracker.get_slot("lgbt_plus") in _YES,
        "deaf": tracker.get_slot("deaf") in _YES,
        "disabled": tracker.get_slot("disabled") in _YES,
        "nrpf": tracker.get_slot("nrpf") in _YES,
        "limited_english": tracker.get_slot("limited_english") in _YES,
        "minoritised": tracker.get_slot("minoritised") in _YES,
        "role": ROLES.get(tracker.get_slot("speaker") or "", "self"),
    }


def asker_from(tracker: Tracker) -> Asker:
    """The person as search sees them; every field unknown until the conversation says it."""
    return Asker(**asker_fields(tracker))
