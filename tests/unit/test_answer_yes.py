""""yes" answers the offer just made: tips after the offer of tips, the area after the offer
of local services, and what is happening when nothing was offered."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_yes import ActionAnswerYes
from tests.support.domain import responses


def _events(last_action: str) -> list[dict]:
    return [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "my ex keeps turning up outside my flat"},
        {"event": "action", "name": last_action},
        {"event": "bot", "text": "..."},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes please"},
    ]


def _said(last_action: str, outcome: str | None, speaker: str = "self") -> list[str]:
    latest = {"text": "yes please", "intent": {"name": "affirm"}}
    tracker = Tracker("t", {"search_outcome": outcome, "speaker": speaker}, latest, _events(last_action),
                      False, None, {}, "")
    dispatcher = CollectingDispatcher()
    ActionAnswerYes().run(dispatcher, tracker, {})
    return [message["response"] for message in dispatcher.messages]


@pytest.mark.parametrize(("last_action", "outcome", "said"), [
    ("action_find_services", "listed", ["utter_safe_contact", "utter_safe_places"]),
    ("action_find_services", "offer_location", ["utter_ask_area"]),
    ("action_plan_reply", "listed", ["utter_safe_contact", "utter_safe_places"]),
    ("action_find_services", "unknown_place", ["utter_ask_situation"]),
    ("action_plan_reply", "already_listed", ["utter_ask_situation"]),
    # the services were listed earlier, but the last thing said was something else
    ("utter_iamabot", "listed", ["utter_ask_situation"]),
    ("utter_greet", None, ["utter_ask_situation"]),
])
def test_yes_answers_the_offer_just_made(last_action: str, outcome: str | None, said: list[str]) -> None:
    assert _said(last_action, outcome) == said


def test_the_offers_and_the_answers_match_their_words() -> None:
    texts = responses()
    assert all("tips on contacting them safely" in v["text"] for v in texts["utter_services_outro"])
    assert all("borough, area or postcode" in v["text"] for v in texts["utter_offer_location"])
    assert all("borough, area or postcode" in v["text"] for v in texts["utter_ask_area"])


def test_yes_with_no_earlier_message_asks_what_is_happening() -> None:
    tracker = Tracker("t", {}, {"text": "yes"}, [{"event": "user", "text": "yes"}], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    ActionAnswerYes().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_situation"]
