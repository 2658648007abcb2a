"""action_answer_yes: "yes" answers the offer the bot has just made.

After a list of services the bot asks "Would you like tips on contacting them safely?", and
with no place yet it says "If you tell me your London borough... I can add local services".
A plain "yes please" there was answered "In your own words, what has been happening?", as if
nothing had been said. This action only chooses which responses answer the yes.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

# What the list of services ended with (the search_outcome slot) -> what "yes" asks for. No
# offer follows a list already sent ("already_listed").
YES_TO = {
    "listed": ("utter_safe_contact", "utter_safe_places"),  # "tips on contacting them safely?"
    "offer_location": ("utter_ask_area",),  # "if you tell me your borough..."
}
# The actions that end by sending services (action_plan_reply sends them after its reply).
SENDS_SERVICES = frozenset({"action_find_services", "action_plan_reply"})
NOTHING_OFFERED = ("utter_ask_situation",)


def last_bot_action(tracker: Tracker) -> str | None:
    """The last action before the person's latest message (not counting listening)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None  # two user messages without an action between them
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def responses_for_yes(tracker: Tracker) -> tuple[str, ...]:
    if last_bot_action(tracker) not in SENDS_SERVICES:
        return NOTHING_OFFERED
    return YES_TO.get(tracker.get_slot("search_outcome"), NOTHING_OFFERED)


class ActionAnswerYes(Action):
    def name(self) -> str:
        return "action_answer_yes"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for response in responses_for_yes(tracker):
            dispatcher.utter_message(response=response)
        return []
