"""action_ask_clarification: pick the abuse topic the classifier leaned towards, for buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from services_directory.vocabulary import GENERAL_TOPIC, TOPICS

ABUSE_TOPICS = frozenset(TOPICS) - {GENERAL_TOPIC}  # the abuse intents, named like the topics
# Someone who said they harm someone: the question back names the line for them.
OWN_BEHAVIOUR_TOLD = "own_behaviour_told"


def likely_topic(intent_ranking: list[dict[str, Any]]) -> str | None:
    for candidate in intent_ranking:
        if candidate.get("name") in ABUSE_TOPICS:
            return candidate["name"]
    return None


class ActionAskClarification(Action):
    def name(self) -> str:
        return "action_ask_clarification"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("speaker") == "own_behaviour":
            return [SlotSet("likely_topic", OWN_BEHAVIOUR_TOLD)]
        ranking = tracker.latest_message.get("intent_ranking") or []
        return [SlotSet("likely_topic", likely_topic(ranking))]
