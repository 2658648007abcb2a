"""Clear questions are answered as asked (issue 14, "What they ask").

Each wording is one a worried person might use; before bot/understanding/questions.py the
classifier heard most of them as a topic, as nothing, or (for proving abuse) as danger.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.plan_reply import choose_reply
from bot.understanding.questions import (
    asked_question,
    asks_about_police,
    asks_to_stop_it,
    fears_children_taken_abroad,
    question_intent,
    reluctant_about_hospital,
    threatens_deportation,
)
from bot.understanding.reading import read_person
from tests.support.trackers import message_tracker


@pytest.mark.parametrize(("text", "intent"), [
    ("does what I put on here get saved?", "ask_privacy"),
    ("do ya store my messages", "ask_privacy"),
    ("can anyone else read what I type in here?", "ask_privacy"),
    ("is this chat being recorded", "ask_privacy"),
    ("is there a way to see if the man I'm dating has a history of hitting women?", "ask_law"),
    ("could I ask whether my cousin's husband has a criminal record for violence?", "ask_law"),
    ("how do I get an injunction against my ex?", "ask_law"),
    ("what counts as proof if I go to court?", "ask_evidence"),
    ("is it worth keeping notes of what he says", "ask_evidence"),
    ("shld i screenshot everything she sends", "ask_evidence"),
    ("wot do i pack if i run", "ask_leaving"),
    ("are you going to tell social services about me?", "ask_privacy"),
    ("can I get help if I'm here on a student visa?", "ask_immigration"),
    ("would social services get involved if I phoned someone?", "ask_children"),
    ("do refuges take teenage boys?", "ask_housing"),
    ("how do you even leave when he watches everything", "ask_leaving"),
    ("what should I take with me when I go", "ask_leaving"),
    ("can i get out of paying the debts", "ask_money"),
    ("do i still have to pay back the loans he made me take out?", "ask_money"),
    ("are the credit cards in my name my responsibility?", "ask_money"),
    ("how would i afford to live on my own", "ask_money"),
    ("could I claim universal credit if I leave him?", "ask_money"),
])
def test_specific_questions(text: str, intent: str) -> None:
    assert asked_question(text) == (intent, True)


@pytest.mark.parametrize("text", [
    "he reads my messages every night",
    "my husband controls all the money",
    "she hit me again last night",
    "I'm so tired of all of this",
    "he took my passport and keeps it locked away",
    "how do I leave a google review",
    "what should I bring to court on Monday?",
    "he made me take out loans in my name",
    "how do i pay my council tax online?",
    "she never lets me pay for anything myself",
])
def test_descriptions_are_not_questions(text: str) -> None:
    assert asked_question(text) is None


def test_a_specific_question_replaces_a_topic() -> None:
    text = "can I find out if my girlfriend has been violent to exes before?"
    assert read_person(text, "physical_abuse").intent == "ask_law"


def test_a_general_question_replaces_only_an_intent_without_topic() -> None:
    text = "is it actually a crime if he only shouts?"
    assert read_person(text, "nlu_fallback").intent == "ask_law"
    assert read_person(text, "coercive_control").intent is None
    leaning = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "coercive_control", "confidence": 0.3}]
    assert read_person(text, "nlu_fallback", leaning).intent != "ask_law"


def test_a_question_replaces_danger_only_the_model_heard() -> None:
    assert read_person("how would I prove any of this to anyone?", "immediate_danger").intent \
        == "ask_evidence"


@pytest.mark.parametrize("text", [
    "he's got a knife, how can I prove it",
    "I want to kill myself, does anyone record this?",
])
def test_danger_and_self_harm_are_never_replaced(text: str) -> None:
    assert question_intent(text, "immediate_danger", "self") is None
    assert read_person(text, "immediate_danger").intent != "ask_evidence"


def test_own_behaviour_and_quick_exit_keep_their_routes() -> None:
    assert question_intent("how can I prove I've changed?", "perpetrator_help", "own_behaviour") is None
    assert question_intent("is this chat saved?", "quick_exit", "self") is None


def test_police_questions() -> None:
    assert asks_about_police("do I need to report it to the police before I see a doctor?")
    assert not asks_about_police("im deaf how would i reach the police")
    assert not asks_about_police("the police came round last night")


tracker = message_tracker


def test_police_after_a_recent_assault_gets_the_havens_answer() -> None:
    text = "will I have to involve the police if I go to get checked over?"
    after = tracker(text, "ask_law", {"urgent_notes_given": ["utter_recent_sexual_assault"]})
    assert choose_reply("ask_law", after) == "answer_police_after_assault"
    assert choose_reply("ask_law", tracker(text, "ask_law", {})) == "answer_law"


@pytest.mark.parametrize("text", [
    "I don't want to go to the police", "i dont wanna tell the police", "not going to the police",
    "I don't want the police involved",
])
def test_not_wanting_the_police_is_answered_not_met_with_okay(text: str) -> None:
    """After "he raped me on saturday", "I don't want to go to the police" had been read as a
    plain "no" and got "Okay. Is there anything else?"."""
    assert read_person(text, "deny").intent == "ask_law"
    after = tracker(text, "ask_law", {"urgent_notes_given": ["utter_recent_sexual_assault"]})
    assert choose_reply("ask_law", after) == "answer_police_after_assault"
    assert choose_reply("ask_law", tracker(text, "ask_law", {})) == "answer_law"


def test_the_police_named_in_a_story_is_not_reluctance() -> None:
    assert read_person("the police came round last night", "deny").intent is None
    assert not asks_about_police("I told the police everything")


def test_a_child_at_home_is_told_it_is_not_their_job_to_stop_it() -> None:
    text = "my dad hits my mum every weekend when hes drunk, im 13"
    child = tracker(text, "physical_abuse", {"age_group": "under_18"})
    assert choose_reply("physical_abuse", child) == "answer_child_at_home"
    adult = tracker(text, "physical_abuse", {"speaker": "other"})
    assert choose_reply("physical_abuse", adult) == "explain_physical_abuse"


@pytest.mark.parametrize("text", ["what's the number for refuge", "number for refuge pls",
                                  "whats the phone number for womens aid"])
def test_asking_for_a_refuge_number_gets_the_helpline_number(text: str) -> None:
    assert read_person(text, "ask_housing").intent == "ask_number"


def test_a_young_person_who_tells_of_no_violence_is_not_given_the_explanation_of_being_hit() -> None:
    text = "im 15 and my stepdad keeps coming into my room at night"
    assert choose_reply("physical_abuse", tracker(text, "physical_abuse", {"age_group": "under_18"})) \
        == "answer_young_person"


def test_a_young_person_who_is_hit_gets_a_young_persons_answer_not_the_adult_explanation() -> None:
    hit = "im 15 and my stepdad hits me"
    assert choose_reply("physical_abuse", tracker(hit, "physical_abuse", {"age_group": "under_18"})) \
        == "answer_young_person_hurt"
    assert choose_reply("physical_abuse", tracker(hit, "physical_abuse", {})) == "explain_physical_abuse"
    friend = "im 15 and my best mate's stepdad hits her"
    assert choose_reply("physical_abuse", tracker(friend, "physical_abuse",
                                                  {"age_group": "under_18", "speaker": "other"})) \
        == "explain_physical_abuse"


def test_under_18_legality_question_after_forced_marriage() -> None:
    text = "and if I agree to it, is it still against the law?"
    assert read_person(text, "nlu_fallback").intent == "ask_law"
    teen = tracker(text, "ask_law", {"age_group": "under_18", "topic": "forced_marriage"})
    assert choose_reply("ask_law", teen) == "answer_marriage_under_18"


def test_a_deportation_threat_is_answered_on_immigration_whatever_the_topic() -> None:
    text = "she tells me I'll be deported the minute I walk out"
    assert threatens_deportation(text)
    assert choose_reply("coercive_control", tracker(text, "coercive_control", {})) == "answer_immigration"
    assert choose_reply("trafficking_exploitation", tracker(text, "trafficking_exploitation", {})) \
        == "explain_trafficking_exploitation"


def test_a_housing_question_from_someone_with_no_recourse_gets_the_routes_that_take_her() -> None:
    """"Your council must help you as homeless" is not true for everyone with no recourse to
    public funds: she is answered with the migrant victims' routes instead."""
    text = "can a refuge take me?"
    assert choose_reply("ask_housing", tracker(text, "ask_housing", {"nrpf": "yes"})) == "answer_immigration"
    assert choose_reply("ask_housing", tracker(text, "ask_housing", {})) == "answer_housing"


# Written from personas for the second pass of the question patterns (2026-11-29).
@pytest.mark.parametrize(("text", "intent"), [
    ("does he get to see the kids if I leave", "ask_children"),
    ("what happens to my kids", "ask_children"),
    ("can he stop me taking the kids abroad", "ask_children"),
    ("will my children be taken away", "ask_children"),
    ("is this chat private", "ask_privacy"),
    ("can he see what I write here", "ask_privacy"),
    ("does this get reported to police", "ask_privacy"),
    ("can he kick me out, the flat is in his name", "ask_housing"),
    ("is there somewhere safe to stay tonight", "ask_housing"),
    ("is coercive control illegal", "ask_law"),
    ("is there emergency money for people fleeing", "ask_money"),
    ("how do I record what he does safely", "ask_evidence"),
    ("how do I help my sister", "ask_how_to_help"),
    ("my colleague has bruises, how do I bring it up", "ask_how_to_help"),
])
def test_everyday_questions_are_answered_as_asked(text: str, intent: str) -> None:
    from bot.understanding.reading import read_person

    assert read_person(text, "find_support").intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("what happens if i call them, will they tell the police", "ask_law"),
    ("will they take my kids off me if i admit it", "ask_children"),
    ("whats their number", "ask_number"),
])
def test_someone_worried_about_their_own_behaviour_is_not_answered_as_the_person_harmed(
        text: str, intent: str) -> None:
    """After "i've pushed my girlfriend a few times", the answers on the law or children written
    for the person harmed speak to the wrong person; the Respect Phoneline answer does not."""
    own = tracker(text, intent, {"speaker": "own_behaviour"})
    assert choose_reply(intent, own) == "answer_own_behaviour_question"
    assert choose_reply(intent, tracker(text, intent, {"speaker": "self"})) != "answer_own_behaviour_question"


def test_what_this_chat_keeps_is_answered_alike_for_everyone() -> None:
    text = "does this chat save what i type"
    assert choose_reply("ask_privacy", tracker(text, "ask_privacy", {"speaker": "own_behaviour"})) == "answer_privacy"


@pytest.mark.parametrize("text", ["can i stop it without getting them in trouble", "how do i stop the wedding",
                                  "is there a way to get out of it?", "can I refuse to marry him?"])
def test_asking_how_to_stop_a_forced_marriage_gets_the_ways_to_stop_it(text: str) -> None:
    assert asks_to_stop_it(text)
    told = tracker(text, "find_support", {"topic": "forced_marriage", "age_group": "under_18"})
    assert choose_reply("find_support", told) == "answer_stop_forced_marriage_under_18"
    # whichever question the classifier heard in it
    assert choose_reply("ask_children", tracker(text, "ask_children", {"topic": "forced_marriage"})) == \
        "answer_stop_forced_marriage"
    # with no forced marriage told, the same words get the general next steps
    assert choose_reply("find_support", tracker(text, "find_support", {"topic": "stalking"})) != \
        "answer_stop_forced_marriage"


@pytest.mark.parametrize("text", ["he won't stop it", "my parents want me to marry him", "stop it"])
def test_stop_without_a_question_is_not_asking_how_to_stop_it(text: str) -> None:
    assert not asks_to_stop_it(text)


def test_a_question_about_stopping_it_replaces_only_an_intent_without_a_topic() -> None:
    text = "how do i stop the wedding"
    assert question_intent(text, "out_of_scope", "self") == "find_support"
    assert question_intent(text, "forced_marriage", "self") is None
    leaning = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "harassment", "confidence": 0.21}]
    assert question_intent("can i stop it without getting them in trouble", "nlu_fallback", "self",
                           ranking=leaning) == "find_support"


@pytest.mark.parametrize("text", [
    "my husband is taking our kids to nigeria next month and says im not coming, i think hes not bringing them back",
    "my ex wants to take my daughter abroad and I'm scared she won't come back",
    "he says he'll send the boys to his family in jamaica for good",
    "i think hes taking the kids abroad and wont bring them back",
])
def test_fearing_the_children_are_taken_abroad_gets_what_can_stop_it(text: str) -> None:
    assert fears_children_taken_abroad(text)
    assert read_person(text, "fgm", [{"name": "fgm", "confidence": 0.8}]).intent == "ask_children"
    assert choose_reply("ask_children", tracker(text, "ask_children", {})) == "answer_children_abroad"


@pytest.mark.parametrize("text", [
    "he's taking my daughter to somalia in the summer to be cut",
    "they're taking my sister's girls back home to get them circumcised",
    "my parents are taking me abroad to marry my cousin",
    "he takes the kids to school and doesn't come back till late",
    "my husband takes the children to his mum's every sunday",
    "can he stop me taking the kids abroad to see my mum?",
    "I want to take my son abroad for good, away from him",
])
def test_cutting_a_marriage_or_an_everyday_trip_is_not_children_taken_abroad(text: str) -> None:
    assert not fears_children_taken_abroad(text)


@pytest.mark.parametrize("text", ["i dont want to go to hospital", "I'm not going to A&E",
                                  "i really don't wanna see a doctor about it", "cant go to the gp"])
def test_not_wanting_hospital_after_a_note_is_answered_with_what_else_they_can_do(text: str) -> None:
    assert reluctant_about_hospital(text)
    unsure = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "physical_abuse", "confidence": 0.25}]
    assert read_person(text, "nlu_fallback", unsure).intent == "find_support"
    strangled = tracker(text, "find_support", {"urgent_notes_given": ["utter_high_risk_strangulation"]})
    assert choose_reply("find_support", strangled) == "answer_no_hospital_strangulation"
    suicidal = tracker(text, "find_support", {"urgent_notes_given": ["utter_self_harm_support"]})
    assert choose_reply("find_support", suicidal) == "answer_no_hospital_self_harm"
    suicidal_friend = tracker(text, "find_support", {"urgent_notes_given": ["utter_self_harm_support"],
                                                     "speaker": "other"})
    assert choose_reply("find_support", suicidal_friend) == "answer_no_hospital_self_harm_supporter"
    assert choose_reply("find_support", tracker(text, "find_support", {})) == "answer_next_steps"


@pytest.mark.parametrize("text", ["he put me in hospital last year", "i went to the doctor and told her",
                                  "the hospital was really kind"])
def test_telling_of_a_hospital_is_not_refusing_one(text: str) -> None:
    assert not reluctant_about_hospital(text)


@pytest.mark.parametrize(("text", "model_said", "answer"), [
    ("I don't want to go to the police", "perpetrator_help", "ask_law"),
    ("I don't want to go to the police", "coercive_control", "ask_law"),
    ("i dont want to go to hospital", "self_harm", "find_support"),
    ("he hits me every day and kicks me when im on the floor but i dont want to go to the police",
     "physical_abuse", None),
])
def test_saying_no_to_the_police_or_hospital_outranks_the_classifiers_guess(
        text: str, model_said: str, answer: str | None) -> None:
    leaning = [{"name": model_said, "confidence": 0.43}, {"name": "ask_leaving", "confidence": 0.16}]
    assert question_intent(text, model_said, "self", ranking=leaning) == answer


def test_asking_whether_they_will_tell_the_police_is_a_police_question() -> None:
    text = "what happens if i call them, will they tell the police"
    assert asks_about_police(text)
    unsure = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_law", "confidence": 0.35},
              {"name": "ask_children", "confidence": 0.32}]
    assert question_intent(text, "nlu_fallback", None, ranking=unsure) == "ask_law"
    assert choose_reply("ask_law", tracker(text, "ask_law", {"speaker": "own_behaviour"})) == \
        "answer_own_behaviour_question"


@pytest.mark.parametrize(("text", "entity"), [
    ("im a guy btw", ("gender", "male")), ("i'm gay by the way", ("lgbt_plus", "yes")),
    ("im deaf", ("deaf", "yes")), ("im 72", ("age_group", "older")),
])
def test_telling_who_they_are_after_what_is_happening_is_thanked_not_asked_again(text, entity) -> None:
    """Found talking to the bot as a man: "im a guy btw", after he had told what his girlfriend
    does, got "If you tell me a little about what's happening, I can explain more"."""
    def told(slots: dict[str, Any]) -> Tracker:
        return message_tracker(text, "find_support", slots, [{"entity": entity[0], "value": entity[1]}])

    assert choose_reply("find_support", told({"topic": "tech_abuse"})) == "answer_who_they_are"
    assert choose_reply("find_support", told({"topic": "tech_abuse", "speaker": "other"})) == "answer_who_they_are"
    # nothing told yet: what is happening is still the question
    assert choose_reply("find_support", told({})) == "answer_next_steps"
    # someone worried about their own behaviour keeps the Respect answer
    assert choose_reply("find_support", told({"topic": "tech_abuse", "speaker": "own_behaviour"})) \
        == "answer_next_steps"


def test_a_young_person_asking_about_school_gets_an_answer_for_them_not_for_parents() -> None:
    """Found talking to the bot as a 16-year-old facing a forced marriage: "will the school help
    me" got the answer for parents worried about social services taking their children."""
    young = tracker("will the school help me", "ask_children", {"age_group": "under_18"})
    assert choose_reply("ask_children", young) == "answer_school_young_person"
    other = tracker("will they take me away from my mum", "ask_children", {"age_group": "under_18"})
    assert choose_reply("ask_children", other) == "answer_young_person"
    parent = tracker("will social services take my kids", "ask_children", {})
    assert choose_reply("ask_children", parent) == "answer_children"


def test_what_else_can_i_do_after_telling_is_not_asked_to_tell_again() -> None:
    """Found as a woman whose ex keeps turning up at her work: "what else can i do" got "If you
    tell me a little about what's happening, I can explain more"."""
    told = tracker("what else can i do", "find_support", {"topic": "stalking"})
    assert choose_reply("find_support", told) == "answer_next_steps_told"
    assert choose_reply("find_support", tracker("what can i do", "find_support", {})) == "answer_next_steps"
    helper = tracker("what else can i do", "find_support", {"topic": "stalking", "speaker": "other"})
    assert choose_reply("find_support", helper) == "answer_next_steps"


@pytest.mark.parametrize(("text", "reply"), [
    ("my mum's new boyfriend shouts at me and my little brother all the time and locks us in our room, im 12",
     "answer_young_person"),
    ("my stepdad takes my phone and reads everything and pushes me around", "answer_young_person_hurt"),
])
def test_a_child_harmed_by_a_parent_figure_gets_the_young_persons_answer(text: str, reply: str) -> None:
    """The coercive-control explanation ("rules about what you wear, eat or spend") is written
    for adults harmed by a partner."""
    child = tracker(text, "coercive_control", {"age_group": "under_18"})
    assert choose_reply("coercive_control", child) == reply
    teen_relationship = tracker("my boyfriend checks my phone and tells me what to wear", "coercive_control",
                                {"age_group": "under_18"})
    assert choose_reply("coercive_control", teen_relationship) == "explain_coercive_control"


def test_the_speaker_being_a_carer_is_not_abuse_by_a_paid_carer() -> None:
    """Found as a woman caring for her mum: "I'm a carer for my mum and my brother keeps taking
    her money" got the answer about paid carers (adult safeguarding) for abuse by her brother."""
    for text in ("I'm a carer for my mum and my brother keeps taking her money and shouting at her",
                 "I’m a carer for my mum and my brother keeps taking her money"):  # a phone's apostrophe
        helper = tracker(text, "economic_abuse", {"speaker": "other"})
        assert choose_reply("economic_abuse", helper) == "explain_economic_abuse"
    paid = tracker("the carer who comes in takes my dad's money", "economic_abuse", {"speaker": "other"})
    assert choose_reply("economic_abuse", paid) == "explain_carer_abuse"


@pytest.mark.parametrize("text", ["hes not violent tho", "he isnt violent", "he's not violent though"])
def test_saying_they_are_not_violent_is_not_an_emergency(text: str) -> None:
    """Found as a woman whose partner takes her universal credit: "hes not violent tho" was read
    as immediate danger by the model alone and got the 999 message."""
    reading = read_person(text, "immediate_danger", [{"name": "immediate_danger", "confidence": 0.5}])
    assert "danger_now" not in reading.urgency and reading.intent == "find_support"
    # danger words still count, whatever else is said
    told = read_person("he's not violent usually but he has a knife now", "immediate_danger")
    assert "danger_now" in told.urgency


@pytest.mark.parametrize("text", ["hes not here now", "he is not here", "hes not home",
                                  "hes gone out so i can talk", "she's asleep", "he's at work till 6"])
def test_saying_the_person_is_away_is_not_an_emergency(text: str) -> None:
    """"hes not here now" got the 999 message: the model heard "he's here"."""
    reading = read_person(text, "immediate_danger", [{"name": "immediate_danger", "confidence": 0.9}])
    assert "danger_now" not in reading.urgency and reading.intent == "find_support"


@pytest.mark.parametrize("text", ["he's 14", "he is 16", "she's 15 years old", "im 17", "my son is 14"])
def test_an_age_on_its_own_is_not_an_emergency(text: str) -> None:
    """A mother worried her son is being groomed by a gang said "he's 14" and got the 999
    message: the model heard "he's here"."""
    reading = read_person(text, "immediate_danger", [{"name": "immediate_danger", "confidence": 0.9}])
    assert "danger_now" not in reading.urgency and reading.intent == "find_support"


@pytest.mark.parametrize("text", ["hes not here yet but hes coming", "he isn't here but he's on his way",
                                  "hes back", "he's outside the door"])
def test_coming_back_is_still_danger(text: str) -> None:
    assert "danger_now" in read_person(text, "immediate_danger").urgency


@pytest.mark.parametrize(("text", "abroad"), [
    ("my husband says if i leave he will take the kids back to pakistan and i will never see them", True),
    ("he said he would take the kids to his mums and i would never see them again", False),
    ("he will take the kids to live with him and i will never see them", False),
])
def test_a_threat_to_take_the_children_to_another_country_for_good_is_recognised(text: str, abroad: bool) -> None:
    """Found as a mother whose husband threatens to take the children to Pakistan: she got the
    coercive-control explanation, not what can stop it."""
    assert fears_children_taken_abroad(text) is abroad


def test_a_young_person_with_an_adult_partner_gets_the_young_persons_answer() -> None:
    """Found as a 15-year-old: "my boyfriend is 24 and im 15, he says i cant tell anyone about
    us" got the adults' explanation of coercive control."""
    text = "my boyfriend is 24 and im 15, he says i cant tell anyone about us"
    assert choose_reply("coercive_control", tracker(text, "coercive_control", {"age_group": "under_18"})) \
        == "answer_young_person"
    peer = "my boyfriend is 16 and he checks my phone all the time"
    assert choose_reply("coercive_control", tracker(peer, "coercive_control", {"age_group": "under_18"})) \
        == "explain_coercive_control"


@pytest.mark.parametrize("text", ["what happens if i say no", "what will happen if i refuse?"])
def test_what_if_i_say_no_after_a_forced_marriage_is_how_to_stop_it(text: str) -> None:
    """After a 19-year-old told of a marriage planned abroad, "what happens if i say no" was
    read as sexual violence ("say no") and got the explanation of rape."""
    assert read_person(text, "sexual_violence", [{"name": "sexual_violence", "confidence": 0.7}]).intent \
        == "find_support"
    told = tracker(text, "find_support", {"topic": "forced_marriage"})
    assert choose_reply("find_support", told) == "answer_stop_forced_marriage"
