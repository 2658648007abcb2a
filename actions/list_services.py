"""action_list_services: send the service cards found by action_find_services, one per message.

Each message carries the card as data in `custom` (actions.service_cards) for the channels to
show in their own idiom, and its plain text for anything that reads only text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.service_cards import SERVICE_CARD, card_text


class ActionListServices(Action):
    def name(self) -> str:
        return "action_list_services"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for card in tracker.get_slot("service_cards") or []:
            if isinstance(card, dict) and card.get("name"):
                dispatcher.utter_message(text=card_text(card), json_message={SERVICE_CARD: card})
            elif isinstance(card, str) and card:
                # A conversation held from before cards were data: its cards are plain text.
                dispatcher.utter_message(text=card)
        return []
