"""action_find_services: look up the services that fit the person, send them, record the outcome.

The specialist line for the topic is given straight away; a place is offered, never
required. A place outside London gets the national lines; an unknown place gets the helpline
and a chance to try again. The same list is not sent twice in a row.

When services are found this action sends the domain response that introduces them (chosen by
name from INTRODUCTIONS: it never words anything itself) and then one card per service. That
was once three steps (this action, the introduction, action_list_services): each step is a
policy prediction and each custom action an HTTP round trip carrying the whole tracker, and
they were the largest part of the extra CPU per reply measured for issue 14's p50 budget
(docs/performance.md). What follows each outcome (the outro, the offer of a place, a question
about which borough) is sent by the same step too, chosen by name from FOLLOW_UPS with the slots
this step sets (bot/nlg.py); action_plan_reply sends its reply and then calls send_services, so
an answered message is one step and one action call.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import directory_client
from actions.asker import asker_fields, asker_from
from actions.service_cards import SERVICE_CARD, card_data, card_text
from bot.planned_slots import planned
from bot.understanding.images import REVENGE_PORN_HELPLINE_ID, speaks_of_images
from services_directory.uk_places import outside_london_place
from services_directory.vocabulary import GENERAL_TOPIC, TOPICS

logger = logging.getLogger(__name__)

LOCATION_ENTITY = "location"
RULER_EXTRACTOR = "SpacyEntityExtractor"
# Questions whose best services sit under a topic of their own, when the directory has it.
QUESTION_TOPICS = {
    "ask_housing": "housing",
    "self_harm": "crisis",
    "ask_immigration": "immigration",
    "ask_law": "legal",
}


def place_from(tracker: Tracker) -> str | None:
    """The place in the latest message, else the place given earlier in the conversation."""
    entities = [e for e in tracker.latest_message.get("entities", [])
                if e.get("entity") == LOCATION_ENTITY and e.get("value")]
    # The entity ruler matches the exact place tables the directory searches: prefer it.
    entities.sort(key=lambda e: e.get("extractor") != RULER_EXTRACTOR)
    if entities:
        return str(entities[0]["value"])
    return tracker.get_slot("borough") or tracker.get_slot("location")


def user_messages(tracker: Tracker) -> list[str]:
    """What the person has written in this conversation (kept only while it lasts)."""
    return [str(event.get("text") or "") for event in tracker.events
            if event.get("event") == "user"]


# Replies whose services are the conversation's own topic, whatever the question's topic: after
# a recent rape, "do I have to go to the police?" needs the Havens and Rape Crisis again, not
# the legal advice lines.
_TOPIC_FIRST_REPLIES = frozenset({"answer_police_after_assault"})
# Replies whose services sit under a topic of their own: stopping children being taken abroad
# needs a court order, so legal advice; a young person's pictures shared or threatened, the
# image routes (CEOP's Safety Centre beside Childline).
_REPLY_TOPICS = {"answer_children_abroad": "legal", "answer_images_under_18": "tech_abuse",
                 # a child groomed or exploited: not the adult trafficking line the words suggest
                 "answer_child_exploitation": GENERAL_TOPIC,
                 "answer_child_exploitation_who_to_tell": GENERAL_TOPIC,
                 "answer_child_exploitation_law": GENERAL_TOPIC,
                 "answer_child_missing": GENERAL_TOPIC,
                 "answer_child_criminal_exploitation": GENERAL_TOPIC,
                 # ways to stop a forced marriage, whatever the last words were read as ("her passport")
                 "answer_stop_forced_marriage": "forced_marriage",
                 "answer_stop_forced_marriage_supporter": "forced_marriage",
                 "answer_stop_forced_marriage_under_18": "forced_marriage"}


def search_topic(intent: str | None, tracker: Tracker, reply: str | None = None) -> str:
    topic = tracker.get_slot("topic")
    if reply in _TOPIC_FIRST_REPLIES and topic in TOPICS:
        return topic
    wanted = _REPLY_TOPICS.get(reply or "") or QUESTION_TOPICS.get(intent or "")
    if wanted in TOPICS:
        return wanted
    return topic if topic in TOPICS else GENERAL_TOPIC


_COUNT_NAMES = {2: "two", 3: "three", 4: "four"}
# The response that introduces the cards, for each outcome that sends cards.
INTRODUCTIONS = {
    "listed": "utter_services_intro",
    "offer_location": "utter_services_intro_national",
    "outside_london": "utter_outside_london",
}


# Intents that ask for the services themselves: the list is sent even if it was the last one.
_ASKS_FOR_THE_LIST = frozenset({"inform_location", "find_support"})
# ... unless the reply chosen answers a question about what was told ("is this normal?").
_ABOUT_WHAT_WAS_TOLD = frozenset({"answer_is_it_abuse", "answer_is_it_abuse_told", "answer_is_it_abuse_supporter"})


def borough_choice_slots(names: list[str]) -> list[dict[str, Any]]:
    """Slots that let utter_ask_which_borough offer one button per borough (up to four)."""
    slots = [SlotSet("borough_choices", ", ".join(names)),
             SlotSet("candidate_count", _COUNT_NAMES.get(len(names), "more"))]
    slots += [SlotSet(f"candidate_{i}", name) for i, name in enumerate(names[:4], start=1)]
    return slots


def listing_key(topic: str, area: str, tracker: Tracker) -> str:
    person = ",".join(f"{k}={v}" for k, v in sorted(asker_fields(tracker).items()) if v)
    return f"{topic}|{area}|{person}"


# What follows each outcome, sent by the same step (bot/nlg.py reads the slots it sets).
FOLLOW_UPS = {
    "listed": "utter_services_outro",
    "offer_location": "utter_offer_location",
    "outside_london": "utter_find_your_council",
    "unknown_place": "utter_unknown_place",
    "choose_borough": "utter_ask_which_borough",
    "unavailable": "utter_service_unavailable",
}


def _slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}


def send_services(dispatcher: CollectingDispatcher, tracker: Tracker,
                  planned_before: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Search, send the introduction, the cards and what follows the outcome; return the slots.

    `planned_before`: slots an earlier part of the same step is setting (the reply chosen), so
    every response sent here reads them too.
    """
    events = _search_and_send(dispatcher, tracker, (planned_before or {}).get("reply"))
    values = _slot_values(events)
    follow_up = FOLLOW_UPS.get(str(values.get("search_outcome")))
    if follow_up:
        dispatcher.utter_message(response=follow_up, **planned(**{**(planned_before or {}), **values}))
    return events


def _search_and_send(dispatcher: CollectingDispatcher, tracker: Tracker,
                     reply: str | None = None) -> list[dict[str, Any]]:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    topic = search_topic(intent, tracker, reply)
    place = place_from(tracker)
    try:
        result = directory_client.search(topic, place, asker_from(tracker))
    except Exception:
        logger.exception("directory search failed")
        return [SlotSet("search_outcome", "unavailable")]

    events: list[dict[str, Any]] = [SlotSet("asked_location", False)]
    area = "national"
    if not place:
        outcome = "offer_location"
        events = [SlotSet("asked_location", True)]
    elif result.needs_borough_choice:
        names = [b.name for b in result.place.candidates]
        return [*events, *borough_choice_slots(names), SlotSet("search_outcome", "choose_borough")]
    elif result.outside_london or (not result.place.candidates and outside_london_place(place)):
        outcome = "outside_london"
        events.append(SlotSet("borough", None))
        area = "outside_london"
    elif not result.place.candidates:
        return [*events, SlotSet("location", None), SlotSet("search_outcome", "unknown_place")]
    else:
        outcome = "listed"
        borough = result.place.candidates[0].name
        area = borough
        events += [SlotSet("borough", borough), SlotSet("area_label", borough)]
    key = listing_key(topic, area, tracker)
    # Talking on does not need the same list again; asking for it does ("is there anyone for
    # older people" after Hourglass was listed), as does giving the place again.
    asks_for_list = intent in _ASKS_FOR_THE_LIST and reply not in _ABOUT_WHAT_WAS_TOLD
    if key == tracker.get_slot("listed_for") and not asks_for_list:
        return [SlotSet("search_outcome", "already_listed")]
    services = result.services
    if outcome == "outside_london":
        # London-wide services cannot help elsewhere: only the lines for all of England.
        services = [s for s in services if getattr(s, "scope", "national") == "national"]
    if topic == "tech_abuse" and not speaks_of_images(user_messages(tracker)):
        # The Revenge Porn Helpline is for intimate images only (bot/understanding/images.py).
        services = [s for s in services if getattr(s, "id", None) != REVENGE_PORN_HELPLINE_ID]
    # The introduction's conditions read the person's slots, which the message itself set; the
    # borough it names is handed over as planned (bot/nlg.py).
    fill = {"area_label": area, **planned(area_label=area)} if outcome == "listed" else {}
    dispatcher.utter_message(response=INTRODUCTIONS[outcome], **fill)
    for service in services:
        # Each card as data in `custom` for the channels to show in their own idiom
        # (bot/channels/cards.py), and as plain text for anything that reads only text.
        card = card_data(service)
        dispatcher.utter_message(text=card_text(card), json_message={SERVICE_CARD: card})
    every_card_has_number = all(getattr(service, "phone", None) for service in services)
    return [*events, SlotSet("listed_for", key), SlotSet("search_outcome", outcome),
            SlotSet("every_card_has_number", every_card_has_number)]


class ActionFindServices(Action):
    """A place given on its own: the services there, in one step."""

    def name(self) -> str:
        return "action_find_services"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return send_services(dispatcher, tracker)
