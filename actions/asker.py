"""Who is asking, from the conversation's slots, in the directory's own terms."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

ROLES = {"other": "supporter", "own_behaviour": "own_behaviour"}


def asker_fields(tracker: Tracker) -> dict[str, Any]:
    """The fields of services_directory.asker.Asker this conversation has told us."""
    yes = {"yes", "true", True}
    return {
        "gender": tracker.get_slot("gender"),
        "age_group": tracker.get_slot("age_group"),
        "lgbt_plus": tracker.get_slot("lgbt_plus") in yes,
        "deaf": tracker.get_slot("deaf") in yes,
        "disabled": tracker.get_slot("disabled") in yes,
        "nrpf": tracker.get_slot("nrpf") in yes,
        "limited_english": tracker.get_slot("limited_english") in yes,
        "role": ROLES.get(tracker.get_slot("speaker") or "", "self"),
    }


def asker_from(tracker: Tracker) -> Any:
    """An Asker when the directory has one, else None (the search then ignores audience)."""
    try:
        from services_directory.asker import Asker
    except ImportError:
        return None
    return Asker(**asker_fields(tracker))


def legacy_audience(tracker: Tracker) -> str | None:
    """The single audience word the older search understands."""
    fields = asker_fields(tracker)
    if fields["role"] == "own_behaviour":
        return "perpetrators"
    if fields["age_group"] == "under_18":
        return "young_people"
    if fields["age_group"] == "older":
        return "older_people"
    if fields["lgbt_plus"]:
        return "lgbt_plus"
    if fields["gender"] == "male":
        return "men"
    if fields["deaf"]:
        return "deaf"
    return None
