"""A professional told of abuse at work (a GP, a teacher, a social worker) gets what their role
asks of them (their safeguarding procedure, a referral, MARAC where the risk is high), not the
friend's answer; a friend, and a professional who is the one harmed, do not."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.plan_reply import ActionFollowEmergency, choose_reply
from bot.understanding.speaker import speaks_as_professional
from tests.support.domain import responses


def _conversation(texts: list[str], intent: str, speaker: str = "other") -> Tracker:
    events = [{"event": "user", "text": text} for text in texts]
    latest = {"text": texts[-1], "intent": {"name": intent}, "entities": []}
    return Tracker("t", {"speaker": speaker}, latest, events, False, None, {}, "")


@pytest.mark.parametrize("text", [
    "im a GP and a patient told me her husband hurts her, what should i do",
    "I'm a teacher and one of my pupils told me her dad hits her mum",
    "as her social worker what do i do now she has told me about him",
    "a patient disclosed today that her partner controls all her money",
    "one of my clients keeps turning up with bruises",
    "i work as a midwife and a woman said her husband hits her",
    "I work in housing and one of my tenants says her ex still has keys",
    # found by supporter personas (tenth session)
    "I'm a year 6 teacher in Newham. One of my girls told me she is going abroad for a ceremony",
    "housing officer here, southwark council. tenant has told me her ex keeps turning up",
    "sorry to be clear im the professional not the victim",
])
def test_work_roles_are_recognised(text: str) -> None:
    assert speaks_as_professional([text])


@pytest.mark.parametrize("text", [
    "my friend told me her husband hurts her",
    "my doctor says i should talk to someone about him",
    "my sister is a nurse and her husband hits her",
    "im worried about my neighbour",
])
def test_friends_and_patients_are_not_professionals(text: str) -> None:
    assert not speaks_as_professional([text])


def test_a_professional_asking_what_to_do_gets_the_professional_answer_even_a_turn_later() -> None:
    told = _conversation(["I'm a GP", "a patient told me her husband hurts her, what should I do"],
                         "ask_how_to_help")
    assert choose_reply("ask_how_to_help", told) == "answer_how_to_help_professional"
    friend = _conversation(["my friend told me her husband hurts her, what should I do"], "ask_how_to_help")
    assert choose_reply("ask_how_to_help", friend) == "answer_how_to_help"


def test_a_nurse_harmed_herself_is_not_answered_as_a_professional() -> None:
    own = _conversation(["im a nurse and my husband hits me, what should i do"], "physical_abuse",
                        speaker="self")
    assert choose_reply("physical_abuse", own) == "explain_physical_abuse"


def test_a_professional_in_an_emergency_gets_the_professional_answer_after_999() -> None:
    dispatcher = CollectingDispatcher()
    tracker = _conversation(["im her support worker and he is kicking her door in right now"],
                            "immediate_danger")
    ActionFollowEmergency().run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["planned_slots"] == {"reply": "answer_how_to_help_professional"}


def test_the_professional_answer_names_safeguarding_marac_and_the_helpline() -> None:
    variants = [variant["text"] for variant in responses()["utter_reply"]
                if any(condition.get("value") == "answer_how_to_help_professional"
                       for condition in variant.get("condition") or [])]
    assert len(variants) == 1
    for needed in ("999", "safeguarding procedure", "MARAC", "0808 2000 247", "interpreter"):
        assert needed in variants[0]


def test_a_professional_telling_of_abuse_gets_their_role_first_then_explanations() -> None:
    told = ["I'm a teacher and a year 9 girl told me today her dad hits her mum"]
    assert choose_reply("physical_abuse", _conversation(told, "physical_abuse")) \
        == "answer_how_to_help_professional"
    later = _conversation([*told, "he also takes all her money"], "economic_abuse")
    later.events.insert(1, {"event": "slot", "name": "reply", "value": "answer_how_to_help_professional"})
    assert choose_reply("economic_abuse", later) == "explain_economic_abuse"


def test_a_professional_telling_of_someone_at_work_is_not_the_person_harmed() -> None:
    from bot.understanding.speaker import speaker_of

    assert speaker_of("housing officer here. tenant has told me her ex kicked the door in") == "other"
    assert speaker_of("I'm a year 6 teacher. One of my girls (she's 10) told me today she is scared") == "other"
    assert speaker_of("im a nurse and my husband hits me") == "self"
