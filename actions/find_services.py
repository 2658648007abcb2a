"""action_find_services: look up services for the topic and place, record what was found."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import directory_client
from actions.service_cards import render_card

logger = logging.getLogger(__name__)

LOCATION_ENTITY = "location"
RULER_EXTRACTOR = "SpacyEntityExtractor"


def place_from(tracker: Tracker) -> str | None:
    """The place in the latest message, else the place given earlier in the conversation."""
    entities = [e for e in tracker.latest_message.get("entities", [])
                if e.get("entity") == LOCATION_ENTITY and e.get("value")]
    # The entity ruler matches the exact place tables the directory searches: prefer it.
    entities.sort(key=lambda e: e.get("extractor") != RULER_EXTRACTOR)
    if entities:
        return str(entities[0]["value"])
    return tracker.get_slot("borough") or tracker.get_slot("location")


_COUNT_NAMES = {2: "two", 3: "three", 4: "four"}


def borough_choice_slots(names: list[str]) -> list[dict[str, Any]]:
    """Slots that let utter_ask_which_borough offer one button per borough (up to four)."""
    slots = [SlotSet("borough_choices", ", ".join(names)),
             SlotSet("candidate_count", _COUNT_NAMES.get(len(names), "more"))]
    slots += [SlotSet(f"candidate_{i}", name) for i, name in enumerate(names[:4], start=1)]
    return slots


class ActionFindServices(Action):
    def name(self) -> str:
        return "action_find_services"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = tracker.get_slot("topic")
        place = place_from(tracker)
        declined = intent == "deny" and tracker.get_slot("asked_location")

        if not place and not declined:
            return [SlotSet("search_outcome", "ask_location"), SlotSet("asked_location", True)]

        try:
            result = directory_client.search(topic, None if declined else place)
        except Exception:
            logger.exception("directory search failed")
            return [SlotSet("search_outcome", "unavailable"), SlotSet("asked_location", False)]

        events: list[dict[str, Any]] = [SlotSet("asked_location", False)]
        if declined:
            outcome = "listed_national"
        elif result.needs_borough_choice:
            names = [b.name for b in result.place.candidates]
            return [*events, *borough_choice_slots(names), SlotSet("search_outcome", "choose_borough")]
        elif result.outside_london:
            outcome = "outside_london"
        elif not result.place.candidates:
            return [*events, SlotSet("search_outcome", "unknown_place")]
        else:
            outcome = "listed"
            borough = result.place.candidates[0].name
            events += [SlotSet("borough", borough), SlotSet("area_label", borough)]
        cards = [render_card(s) for s in result.services]
        return [*events, SlotSet("service_cards", cards), SlotSet("search_outcome", outcome)]
