"""The question back when a message is unclear: the buttons lean to the topic the classifier
leaned to, and someone who has said they harm someone is pointed to the line for them."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.ask_clarification import OWN_BEHAVIOUR_TOLD, ActionAskClarification
from tests.support.domain import responses


def _run(speaker: str) -> list[dict]:
    latest = {"text": "will she leave me", "intent": {"name": "nlu_fallback"},
              "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3},
                                 {"name": "coercive_control", "confidence": 0.2}]}
    tracker = Tracker("t", {"speaker": speaker}, latest, [], False, None, {}, "")
    return ActionAskClarification().run(CollectingDispatcher(), tracker, {})


def test_the_classifiers_leaning_picks_the_buttons() -> None:
    assert _run("self") == [{"event": "slot", "name": "likely_topic", "value": "coercive_control",
                             "timestamp": None}]


def test_someone_worried_about_their_own_behaviour_is_asked_with_the_respect_phoneline() -> None:
    assert _run("own_behaviour")[0]["value"] == OWN_BEHAVIOUR_TOLD
    variants = [v for v in responses()["utter_clarify"]
                if any(c.get("value") == OWN_BEHAVIOUR_TOLD for c in v.get("condition") or [])]
    assert len(variants) == 1
    assert "0808 802 4040" in variants[0]["text"] and "0808 2000 247" not in variants[0]["text"]
    assert all("hurt" not in button["title"] for button in variants[0]["buttons"])
