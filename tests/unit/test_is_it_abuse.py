""""Is this normal?", "am I overreacting?", "is it my fault?" after telling what happens were
read as "no", as a question about the bot, or as sexual violence ("is it normal for him to do
that"). They are answered about what was told: believed, not their fault, and the helpline."""

from __future__ import annotations

import pytest

from actions.plan_reply import choose_reply
from bot.understanding.questions import asks_if_abuse, question_intent
from tests.support.trackers import message_tracker


@pytest.mark.parametrize("text", [
    "is that normal?", "is this normal", "is that ok?", "is it normal for him to do that",
    "am i overreacting", "Am I being dramatic?", "is this abuse?", "so is that abuse",
    "does this count as abuse?", "is it my fault", "is this normal in a relationship",
])
def test_asking_whether_it_is_abuse(text: str) -> None:
    assert asks_if_abuse(text)
    # the classifier's guess ("deny", a topic) gives way, so the topic told before is kept
    assert question_intent(text, "deny", "self") == "find_support"
    assert question_intent(text, "sexual_violence", "self") == "find_support"


@pytest.mark.parametrize("text", [
    "is it normal for him to force me to have sex",  # a story with it: the explanation answers
    "is this chat private?", "is it illegal?", "he says im overreacting when he checks my phone",
    "am i the abuser",
])
def test_other_messages_are_not_that_question(text: str) -> None:
    assert not asks_if_abuse(text)


def test_the_answer_follows_what_was_told_and_who_is_asking() -> None:
    told = message_tracker("is that normal?", "find_support", {"topic": "coercive_control"})
    assert choose_reply("find_support", told) == "answer_is_it_abuse_told"
    friend = message_tracker("is that normal?", "find_support",
                             {"topic": "coercive_control", "speaker": "other"})
    assert choose_reply("find_support", friend) == "answer_is_it_abuse_supporter"
    nothing_yet = message_tracker("is this abuse?", "find_support", {})
    assert choose_reply("find_support", nothing_yet) == "answer_is_it_abuse"
    own = message_tracker("is that abuse?", "find_support",
                          {"topic": "perpetrator_help", "speaker": "own_behaviour"})
    assert not choose_reply("find_support", own).startswith("answer_is_it_abuse")


@pytest.mark.parametrize("text", ["i dont want to get him in trouble", "i don't want him to get in trouble",
                                  "i dont want to ruin his life", "i dont want my son to get a criminal record"])
def test_not_wanting_them_in_trouble_is_told_help_is_not_a_report(text: str) -> None:
    """After telling of stalking, "i dont want to get him in trouble" got "To help them: ...",
    the answer for a friend."""
    told = message_tracker(text, "ask_how_to_help", {"topic": "stalking"})
    assert choose_reply("ask_how_to_help", told) == "answer_not_in_trouble"
    child = message_tracker(text, "ask_how_to_help", {"topic": "physical_abuse", "age_group": "under_18"})
    assert choose_reply("ask_how_to_help", child) != "answer_not_in_trouble"



def test_the_explanation_just_given_is_not_repeated_for_more_of_the_same() -> None:
    """"it was 2 years ago" and "i never told anyone" after telling of rape got the same
    explanation of sexual violence three times."""
    again = message_tracker("i never told anyone", "sexual_violence",
                            {"topic": "sexual_violence", "reply": "explain_sexual_violence"})
    assert choose_reply("sexual_violence", again) == "answer_heard_more"
    friend = message_tracker("she never told anyone", "sexual_violence",
                             {"topic": "sexual_violence", "reply": "explain_sexual_violence",
                              "speaker": "other"})
    assert choose_reply("sexual_violence", friend) == "answer_heard_more_supporter"
    new_kind = message_tracker("he also takes all my money", "economic_abuse",
                               {"topic": "sexual_violence", "reply": "explain_sexual_violence"})
    assert choose_reply("economic_abuse", new_kind) == "explain_economic_abuse"
    asked = message_tracker("is it rape if we are married?", "sexual_violence",
                            {"topic": "sexual_violence", "reply": "explain_sexual_violence"})
    assert choose_reply("sexual_violence", asked) == "explain_sexual_violence"


def test_after_being_heard_the_explanation_is_still_not_repeated_but_a_longer_telling_gets_it() -> None:
    heard = message_tracker("i never told anyone", "sexual_violence",
                            {"topic": "sexual_violence", "reply": "answer_heard_more"})
    heard.events.append({"event": "slot", "name": "reply", "value": "explain_sexual_violence"})
    heard.events.append({"event": "slot", "name": "reply", "value": "answer_heard_more"})
    assert choose_reply("sexual_violence", heard) == "answer_heard_more"
    longer = message_tracker("he just shouts and calls me names and says im crazy", "coercive_control",
                             {"topic": "coercive_control", "reply": "explain_coercive_control"})
    assert choose_reply("coercive_control", longer) == "explain_coercive_control"
