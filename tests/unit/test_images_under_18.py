"""A young person's intimate pictures shared or threatened (found talking to the bot as a
15-year-old: "my boyfriend says he'll send my pics to everyone" got the coercive-control
explanation and nothing about images or her age)."""

from __future__ import annotations

import pytest

from actions.find_services import search_topic
from actions.plan_reply import choose_reply
from bot.understanding.images import shares_own_images
from tests.support.domain import variants
from tests.support.trackers import message_tracker

THREAT = "im 15 and my boyfriend says he'll send my pics to everyone"


tracker = message_tracker


@pytest.mark.parametrize(("text", "shared"), [
    (THREAT, True),
    ("he posted photos of me online", True),
    ("my ex leaked my nudes on snap", True),
    ("he has nudes i sent him and says he will show my mum", True),
    ("he took pics of me and sent them round school", True),
    ("he sends me pictures all the time", False),  # sent to her, not of her
    ("he checks my phone and my photos", False),  # looked at, not shared
    ("my boyfriend hits me", False),
])
def test_pictures_of_the_speaker_being_shared_are_recognised(text: str, shared: bool) -> None:
    assert shares_own_images(text) is shared


@pytest.mark.parametrize("intent", ["coercive_control", "tech_abuse", "harassment", "ask_law"])
def test_under_18_with_pictures_threatened_gets_the_young_persons_image_answer(intent: str) -> None:
    young = tracker(THREAT, intent, {"age_group": "under_18"})
    assert choose_reply(intent, young) == "answer_images_under_18"
    # and the services are the image routes, whatever topic the words were heard as
    assert search_topic(intent, young, "answer_images_under_18") == "tech_abuse"


def test_adults_and_supporters_keep_their_own_answers() -> None:
    adult = "my ex says he'll send my pics to everyone"
    assert choose_reply("tech_abuse", tracker(adult, "tech_abuse", {})) == "explain_tech_abuse"
    parent = tracker("my daughter is 15 and her ex is sharing her pics", "tech_abuse",
                     {"age_group": "under_18", "speaker": "other"})
    assert choose_reply("tech_abuse", parent) != "answer_images_under_18"


def test_the_answer_names_only_sourced_routes() -> None:
    """What it says is in sourced-facts section 23; the Revenge Porn Helpline, for adults
    only, is not offered to a child."""
    texts = [variant["text"] for variant in variants("utter_reply")
             if {"type": "slot", "name": "reply", "value": "answer_images_under_18"}
             in (variant.get("condition") or [])]
    assert len(texts) == 1
    assert "0800 1111" in texts[0] and "Report Remove" in texts[0] and "CEOP" in texts[0]
    assert "999" in texts[0]
    assert "0345 6000 459" not in texts[0] and "Revenge Porn" not in texts[0]


@pytest.mark.parametrize(("text", "asks"), [
    ("how do i get them taken down", True),
    ("will the police arrest me for sending them", True),
    ("will i get in trouble for sending pics", True),
    ("how do i get a nude of me taken off snapchat", True),
    ("can he take the kids off me", False),
    ("will i get in trouble for leaving", False),
])
def test_questions_about_ones_own_pictures_once_out(text: str, asks: bool) -> None:
    from bot.understanding.images import asks_about_own_images

    assert asks_about_own_images(text) is asks


def test_a_young_persons_follow_up_about_the_pictures_gets_the_image_answer() -> None:
    """'will i get in trouble for sending them' after telling that her pictures are being sent
    round got the question back with buttons for FGM and forced labour."""
    follow_up = tracker("will i get in trouble for sending them", "find_support", {"age_group": "under_18"})
    follow_up.events = [{"event": "user", "text": THREAT}, {"event": "user", "text": follow_up.latest_message["text"]}]
    assert choose_reply("find_support", follow_up) == "answer_images_under_18"
    # without pictures told of, the same words are not about pictures
    alone = tracker("will i get in trouble for sending them", "find_support", {"age_group": "under_18"})
    alone.events = [{"event": "user", "text": "my boyfriend checks my phone"}]
    assert choose_reply("find_support", alone) != "answer_images_under_18"


def test_a_first_question_and_a_later_telling_about_her_own_picture() -> None:
    """'im 15, how do i get a nude of me taken off snapchat' got the general young person's
    answer, and 'its been shared in a group chat' the adult tech-abuse explanation."""
    first = "im 15, how do i get a nude of me taken off snapchat and insta"
    asked = tracker(first, "find_support", {"age_group": "under_18"})
    asked.events = [{"event": "user", "text": first}]
    assert choose_reply("find_support", asked) == "answer_images_under_18"
    later = tracker("its been shared in a group chat", "tech_abuse", {"age_group": "under_18"})
    later.events = [{"event": "user", "text": first}, {"event": "user", "text": "its been shared in a group chat"}]
    assert choose_reply("tech_abuse", later) == "answer_images_under_18"
