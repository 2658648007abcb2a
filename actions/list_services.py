"""action_list_services: send the service cards found by action_find_services, one per message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionListServices(Action):
    def name(self) -> str:
        return "action_list_services"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for card in tracker.get_slot("service_cards") or []:
            dispatcher.utter_message(text=card)
        return []
