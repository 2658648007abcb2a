"""The deterministic danger check: it must fire on danger in everyday words, and stay quiet
on ordinary talk about past abuse so the emergency message keeps its weight."""

from __future__ import annotations

import pytest

from bot.safety.danger import normalise_for_matching, signals_danger


@pytest.mark.parametrize("text", [
    "he's outside the door with a knife",
    "HE HAS A KNIFE",
    "hes here",
    "he is strangling me",
    "he said he's going to kill me tonight",
    "i'm locked in the bedroom",
    "he's trying to break in",
    "pls help now",
    "help",
    "\U0001f62d\U0001f52a",
    "he's kicking the door in",
    "my partnr sed he wil kil me if i ever leav him, he keps a nife by the bed",
    "hes hitin me nd wont stop",
    "\u04bb\u0435 \u0456\u0455 \u04bb\u0456tt\u0456ng m\u0435",  # Cyrillic look-alike letters
    "h\u200be\u200b's here",  # zero-width characters between letters
    "he\u2019s coming back",  # curly apostrophe
    "my sister is being beaten right now next door",
    "theres screaming next door right now, a woman screaming and things smashing. what do i do",
    "right now i can hear screaming upstairs",
    "i cant talk he will hear me",
    "shh he'll hear us",
])
def test_danger_is_recognised(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize("text", [
    "he checks my phone every night",
    "my ex keeps texting me",
    "he took my bank card",
    "where can i get help with housing",
    "he used to hit me years ago",
    "hello",
    "",
    "my family want me to marry my cousin",
    "i'm worried about my friend",
    "i've taken all my pills",  # danger to oneself: a different first reply (self_harm.py)
    "i want to kill myself",
    "he never listens to me",
    # not wanting the police called is not asking for them
    "should i go hospital? i dont want them to call police on him",
    "i dont want to call the police",
    "can i get help without getting the police involved",
])
def test_everyday_talk_is_not_an_emergency(text: str) -> None:
    assert not signals_danger(text)


@pytest.mark.parametrize("text", [
    "وہ مجھے جان سے مار دے گا",  # Urdu: he will kill me
    "বাঁচাও",  # Bengali: save me
    "वो मुझे मार डालेगा",  # Hindi: he will kill me
    "救命",  # Chinese: help!
    "он убьёт меня",  # Russian: he will kill me
    "помогите пожалуйста",  # Russian: help please
])
def test_danger_in_other_scripts(text: str) -> None:
    """Someone who writes in their own script in danger still gets 999 first."""
    assert signals_danger(text)


@pytest.mark.parametrize("text", [
    "میرا شوہر مجھے مارتا ہے",  # Urdu: my husband hits me (not "now")
    "আমার স্বামী আমাকে টাকা দেয় না",  # Bengali: my husband gives me no money
    "我老公管着我的工资",  # Chinese: my husband controls my wages
    "муж забирает мою зарплату",  # Russian: my husband takes my wages
])
def test_other_scripts_without_danger_words_are_not_danger(text: str) -> None:
    assert not signals_danger(text)


def test_none_is_not_danger() -> None:
    assert not signals_danger(None)


def test_normalisation_folds_case_width_and_invisible_characters() -> None:
    assert normalise_for_matching("ＨＥ\u200b IS  Here") == "he is here"


def _message(intent: str, ranking: list[tuple[str, float]]):
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": "x"})
    message.set("intent", {"name": intent, "confidence": 0.4})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return message


def test_an_unsure_danger_guess_is_not_turned_into_a_question() -> None:
    from bot.nlu.danger_first_fallback import DangerFirstFallback

    component = DangerFirstFallback(min_confidence=0.2)
    unsure_danger = _message("nlu_fallback", [("nlu_fallback", 0.4), ("immediate_danger", 0.38),
                                              ("physical_abuse", 0.33)])
    unsure_other = _message("nlu_fallback", [("nlu_fallback", 0.4), ("stalking", 0.38),
                                             ("immediate_danger", 0.33)])
    faint_danger = _message("nlu_fallback", [("nlu_fallback", 0.4), ("immediate_danger", 0.1)])
    component.process([unsure_danger, unsure_other, faint_danger])
    assert unsure_danger.get("intent")["name"] == "immediate_danger"
    assert unsure_other.get("intent")["name"] == "nlu_fallback"
    assert faint_danger.get("intent")["name"] == "nlu_fallback"


def test_danger_given_a_real_share_behind_a_kind_of_abuse_wins() -> None:
    from bot.nlu.danger_first_fallback import DangerFirstFallback

    component = DangerFirstFallback(min_confidence=0.2, runner_up_confidence=0.3)
    close_behind = _message("trafficking_exploitation", [("trafficking_exploitation", 0.55),
                                                         ("immediate_danger", 0.35)])
    far_behind = _message("physical_abuse", [("physical_abuse", 0.8), ("immediate_danger", 0.1)])
    a_question = _message("ask_housing", [("ask_housing", 0.5), ("immediate_danger", 0.45)])
    component.process([close_behind, far_behind, a_question])
    assert close_behind.get("intent")["name"] == "immediate_danger"
    assert close_behind.get("classifier_intent")["name"] == "trafficking_exploitation"
    assert [r["name"] for r in close_behind.get("intent_ranking")][:2] == [
        "immediate_danger", "trafficking_exploitation"]
    assert far_behind.get("intent")["name"] == "physical_abuse"
    assert a_question.get("intent")["name"] == "ask_housing"


# Written from personas for exploitation and captivity (third pass, 2026-11-29), not from any
# held-out set: held, hunted or about to be sold is danger now.
@pytest.mark.parametrize("text", [
    "they're making me work and won't let me go, help", "the men who brought me here are coming back",
    "I escaped and they are looking for me", "he's forcing me to sleep with men tonight",
    "I'm being kept in a house and they took my passport, they will be back soon",
    "there are men outside waiting for me", "i ran away from the house and i'm hiding",
    "they are going to sell me", "he is selling me to his friends tonight",
])
def test_held_hunted_or_sold_is_danger_now(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize("text", [
    "he won't let me go to the gym", "my mum is waiting for me outside school",
    "my dad will be back later to pick me up", "i'm looking for a job", "they are looking for a new flat",
])
def test_everyday_going_waiting_and_looking_are_not_danger(text: str) -> None:
    assert not signals_danger(text)


# Written from personas for the backstop's second pass (2026-11-29), not from any held-out set.
@pytest.mark.parametrize("text", [
    "he just hit me", "he just punched me and i'm bleeding", "he's pinned me down",
    "i'm in danger", "im not safe right now", "I'm scared for my life",
    "he's waiting outside my work", "my ex is at the door screaming",
    "I can hear him coming up the stairs", "i've locked myself in the toilet",
    "he's broken the door down", "he's smashing the place up",
    "he's drunk and raging and i've got the kids", "someone is following me right now",
    "he's got my kids in the car and he's drunk", "he's threatening to jump with the baby",
    "he said tonight he's going to finish me",
])
def test_danger_now_in_everyday_words(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize("text", [
    "he never hit me, he just shouts", "he just hit me once years ago",
    "he just hit me the once, is that abuse?", "he pinned me down when we were together",
    "I'm scared he'll find out", "i was in danger last year", "he's going to finish work at 5",
    "I'm going to finish with him", "he broke my phone last week", "he used to follow me",
    "my daughter is in the car with me", "he's waiting for me to get home from work",
    "he is high most days",
])
def test_the_past_and_everyday_words_are_not_danger_now(text: str) -> None:
    assert not signals_danger(text)
