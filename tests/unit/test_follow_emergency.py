"""What follows the emergency message (action_follow_emergency): the high-risk sign the person
named and the specialist line for the kind of abuse told beside the danger, each once.

Runs the real action with rasa_sdk's own Tracker and dispatcher, and checks every response it
can send exists in the real domain with the number the directory holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.plan_reply import SPECIALIST_AFTER_EMERGENCY, ActionFollowEmergency

ROOT = Path(__file__).resolve().parents[2]


def _tracker(entities: list[dict[str, Any]], slots: dict[str, Any]) -> Tracker:
    latest = {"text": "…", "intent": {"name": "immediate_danger"}, "entities": entities}
    return Tracker("t", slots, latest, [], False, None, None, "action_listen")


def _run(entities: list[dict[str, Any]], slots: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = ActionFollowEmergency().run(dispatcher, _tracker(entities, slots), {})
    return [m["response"] for m in dispatcher.messages], events


def test_forced_marriage_in_danger_gets_the_threat_named_then_karma_nirvana() -> None:
    sent, events = _run([{"entity": "risk_sign", "value": "threat_to_kill"}], {"topic": "forced_marriage"})
    assert sent == ["utter_high_risk_threat_to_kill", "utter_specialist_after_emergency_forced_marriage"]
    assert events[0]["value"] == sent


def test_a_line_already_given_is_not_repeated_but_the_next_sign_is_named() -> None:
    given = ["utter_high_risk_threat_to_kill", "utter_specialist_after_emergency_stalking"]
    sent, _ = _run([{"entity": "risk_sign", "value": "threat_to_kill"}, {"entity": "risk_sign", "value": "weapon"}],
                   {"topic": "stalking", "urgent_notes_given": given})
    assert sent == ["utter_high_risk_weapon"]


def test_kinds_the_national_helpline_covers_add_nothing() -> None:
    sent, events = _run([], {"topic": "physical_abuse"})
    assert sent == [] and events == []


@pytest.mark.parametrize(("topic", "number"), [
    ("forced_marriage", "0800 5999 247"), ("honour_based_abuse", "0800 5999 247"),
    ("stalking", "0808 802 0300"), ("sexual_violence", "0808 500 2222"),
    ("trafficking_exploitation", "08000 121 700"),
])
def test_each_specialist_line_is_in_the_domain_with_the_directory_number(topic: str, number: str) -> None:
    """The directory's national numbers are themselves held to the national reference
    (tests/directory/test_dir_bundled_data.py)."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    variants = domain.responses[SPECIALIST_AFTER_EMERGENCY[topic]]
    assert variants and all(number in v["text"] for v in variants)
    phones = (ROOT / "services_directory" / "data" / "hsds" / "phones.csv").read_text()
    assert f",{number}," in phones


def test_a_supporter_in_an_emergency_also_gets_how_to_help_once() -> None:
    """"My friend's boyfriend is hurting her, what do I do": 999 came first (the rule), and the
    question she asked is answered after it, not left at the emergency text."""
    dispatcher = CollectingDispatcher()
    events = ActionFollowEmergency().run(dispatcher, _tracker([], {"speaker": "other"}), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_reply"]
    assert dispatcher.messages[0]["planned_slots"] == {"reply": "answer_how_to_help"}
    assert {"event": "slot", "name": "reply", "value": "answer_how_to_help", "timestamp": None} in events
    given = next(e["value"] for e in events if e["name"] == "urgent_notes_given")
    sent, _ = _run([], {"speaker": "other", "urgent_notes_given": given})
    assert sent == []


@pytest.mark.parametrize("speaker", ["self", "own_behaviour", None])
def test_only_a_supporter_gets_how_to_help_after_the_emergency(speaker: str | None) -> None:
    sent, events = _run([], {"speaker": speaker, "topic": "physical_abuse"})
    assert sent == [] and events == []


def test_the_sign_and_specialist_line_come_before_how_to_help() -> None:
    sent, _ = _run([{"entity": "risk_sign", "value": "weapon"}], {"speaker": "other", "topic": "stalking"})
    assert sent == ["utter_high_risk_weapon", "utter_specialist_after_emergency_stalking", "utter_reply"]


def test_asked_to_call_the_police_it_says_it_cannot_right_after_the_emergency_message() -> None:
    """"can you call the police for me" got the 999 text, and nothing saying no one here would."""
    from bot.understanding.questions import asks_us_to_call

    for text in ("can you call the police for me", "please can u ring 999", "call the police for me"):
        assert asks_us_to_call(text)
    for text in ("should i call the police", "i called the police last time", "can you help me"):
        assert not asks_us_to_call(text)
    dispatcher = CollectingDispatcher()
    latest = {"text": "can you call the police for me", "intent": {"name": "immediate_danger"}, "entities": []}
    ActionFollowEmergency().run(dispatcher, Tracker("t", {}, latest, [], False, None, None, "action_listen"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_cannot_call_for_you"]


def test_a_neighbour_hearing_it_now_is_asked_not_to_go_in() -> None:
    """A neighbour hearing screaming through the wall was told to 'keep in touch' and 'let them
    decide' after 999; not going in fits what is happening."""
    latest = {"text": "my neighbour is being beaten up right now, i can hear her through the wall",
              "intent": {"name": "immediate_danger"}, "entities": []}
    tracker = Tracker("t", {"speaker": "other"}, latest, [], False, None, None, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionFollowEmergency().run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["planned_slots"] == {"reply": "answer_dont_step_in"}
