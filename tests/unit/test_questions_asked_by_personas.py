"""Questions found unanswered by talking to the bot as personas (tenth session): whether the
helpline is confidential, what the Silent Solution is, and whether to be checked in pregnancy."""

from __future__ import annotations

import pytest

from actions.plan_reply import choose_reply
from bot.understanding.reading import read_person
from tests.support.domain import variants
from tests.support.trackers import message_tracker


def _reply_text(name: str) -> str:
    texts = [v["text"] for v in variants("utter_reply")
             if {"type": "slot", "name": "reply", "value": name} in (v.get("condition") or [])]
    assert len(texts) == 1
    return texts[0]


@pytest.mark.parametrize("text", [
    "is the helpline confidential?",
    "no i dont have kids. i mean if i ring the helpline will they contact my husband or the police",
    "what would happen if i called them, would they tell him",
])
def test_the_helplines_confidentiality_is_answered(text: str) -> None:
    """Two women were told twice about children's services being there to support families."""
    reading = read_person(text, "ask_children", [{"name": "ask_children", "confidence": 0.5}])
    assert reading.intent == "ask_privacy"
    assert choose_reply("ask_privacy", message_tracker(text, "ask_privacy", {})) == "answer_helpline_confidential"
    assert "confidential" in _reply_text("answer_helpline_confidential")


def test_what_this_chat_keeps_is_still_about_this_chat() -> None:
    text = "does this save what I type?"
    assert choose_reply("ask_privacy", message_tracker(text, "ask_privacy", {})) != "answer_helpline_confidential"


@pytest.mark.parametrize("text", ["what is the silent solution", "wat is da silent solushun thing"])
def test_the_silent_solution_is_explained_when_asked(text: str) -> None:
    reading = read_person(text, "safe_contact", [{"name": "safe_contact", "confidence": 0.5}])
    assert reading.intent == "ask_number"
    assert choose_reply("ask_number", message_tracker(text, "ask_number", {})) == "answer_silent_solution"
    said = _reply_text("answer_silent_solution")
    assert "999" in said and "55" in said and "does not share your location" in said


def test_after_the_pregnancy_note_a_question_about_hospital_is_answered() -> None:
    text = "should i go hospital? i dont want them to call police on him"
    pregnant = message_tracker(text, "ask_law", {"urgent_notes_given": ["utter_high_risk_pregnancy"]})
    assert choose_reply("ask_law", pregnant) == "answer_hospital_pregnancy"
    assert "danger_now" not in read_person(text, "ask_law").urgency  # not wanting police is not danger
    said = _reply_text("answer_hospital_pregnancy")
    assert "midwife" in said and "permission" in said
    # without the pregnancy note, it is not this answer
    assert choose_reply("ask_law", message_tracker(text, "ask_law", {})) != "answer_hospital_pregnancy"


@pytest.mark.parametrize("text", ["whats the DASH?", "can I refer to MARAC without her consent?"])
def test_a_professionals_question_about_dash_or_marac_is_answered(text: str) -> None:
    """A GP got 'Sorry, I can't help with that' for the checklist the bot had just named."""
    assert read_person(text, "out_of_scope", [{"name": "out_of_scope", "confidence": 0.5}]).intent == "ask_how_to_help"
    tracker = message_tracker(text, "ask_how_to_help", {"speaker": "other"})
    assert choose_reply("ask_how_to_help", tracker) == "answer_dash_marac"
    said = _reply_text("answer_dash_marac")
    assert "Dash" in said and "MARAC" in said and "safeguarding lead" in said


@pytest.mark.parametrize(("text", "intent"), [
    ("its not me its my sister. should i tell her? and can the police stop them taking her", "ask_law"),
    ("what if they take her passport", "trafficking_exploitation"),
])
def test_a_brother_asking_how_to_stop_his_sisters_marriage_is_answered_for_her(text: str, intent: str) -> None:
    """He was told a protection order is 'made for you', then the passport was read as trafficking."""
    tracker = message_tracker(text, intent, {"speaker": "other", "topic": "forced_marriage"})
    assert choose_reply(intent, tracker) == "answer_stop_forced_marriage_supporter"
    said = _reply_text("answer_stop_forced_marriage_supporter")
    assert "020 7008 0151" in said and "her" in said and "made for you" not in said
    # the person affected keeps her own answer
    own = message_tracker("can i stop it", "ask_law", {"speaker": "self", "topic": "forced_marriage"})
    assert choose_reply("ask_law", own) == "answer_stop_forced_marriage"


def _with_replies(text: str, intent: str, slots: dict, replies: list[str]):
    tracker = message_tracker(text, intent, {**slots, "reply": replies[0] if replies else None})
    tracker.events = [{"event": "slot", "name": "reply", "value": reply} for reply in reversed(replies[1:])]
    return tracker


def test_clares_law_asked_about_is_explained_first() -> None:
    """'what is clares law' got the protection orders, with Clare's Law in the last sentence."""
    assert choose_reply("ask_law", message_tracker("what is clares law", "ask_law", {})) == "answer_clares_law"
    follow = _with_replies("can i use it for my sisters new boyfriend?", "ask_how_to_help",
                           {"speaker": "other"}, ["answer_clares_law"])
    assert choose_reply("ask_how_to_help", follow) == "answer_clares_law"
    assert "101" in _reply_text("answer_clares_law") and "Friends and family" in _reply_text("answer_clares_law")


@pytest.mark.parametrize(("slots", "reply"), [
    ({"age_group": "under_18"}, "answer_dont_step_in_young"),
    ({"speaker": "other"}, "answer_dont_step_in"),
])
def test_someone_thinking_of_stepping_in_is_asked_not_to(slots: dict, reply: str) -> None:
    """A 14-year-old hearing her stepdad hit her mum asked 'should i go in there and stop him'
    and got a question back with buttons."""
    tracker = message_tracker("should i go in there and stop him", "nlu_fallback", slots)
    assert choose_reply("nlu_fallback", tracker) == reply
    assert "999" in _reply_text(reply)


def test_a_relative_asking_about_adult_social_care_after_the_carer_answer() -> None:
    text = "so can i contact social services even tho its mum not a paid carer? will they take dad away"
    follow = _with_replies(text, "ask_children", {"speaker": "other"}, ["explain_carer_abuse"])
    assert choose_reply("ask_children", follow) == "answer_adult_safeguarding_supporter"
    said = _reply_text("answer_adult_safeguarding_supporter")
    assert "adult social care" in said and "views and wishes" in said and "Children's services" not in said


def test_a_neighbour_reporting_a_week_later_is_told_how() -> None:
    text = "no its not happening to me, its the couple upstairs. can i still report it to the police a week later?"
    reading = read_person(text, "ask_law")
    assert reading.speaker == "other"
    tracker = message_tracker(text, "ask_law", {"speaker": "other"})
    assert choose_reply("ask_law", tracker) == "answer_report_later_supporter"
    assert "101" in _reply_text("answer_report_later_supporter")


def test_her_passport_after_forced_marriage_was_told_is_not_trafficking() -> None:
    """The topic slot follows the latest intent; the replies given remember the marriage."""
    later = _with_replies("what if they take her passport", "trafficking_exploitation",
                          {"speaker": "other", "topic": "trafficking_exploitation"},
                          ["answer_stop_forced_marriage_supporter", "explain_forced_marriage"])
    assert choose_reply("trafficking_exploitation", later) == "answer_stop_forced_marriage_supporter"


def test_a_gay_man_asking_whether_he_will_be_believed() -> None:
    text = "will galop judge me? he says no one will believe a man getting hurt by a man"
    tracker = message_tracker(text, "ask_law", {"gender": "male", "lgbt_plus": "yes"})
    assert choose_reply("ask_law", tracker) == "answer_will_they_believe_lgbt"
    assert "0800 999 5428" in _reply_text("answer_will_they_believe_lgbt")


def test_asking_if_fear_is_normal_is_answered_about_what_was_told() -> None:
    text = "i dont want a court order i just want to know if its normal to feel this scared. sorry"
    assert read_person(text, "ask_law", [{"name": "ask_law", "confidence": 0.61}]).intent == "find_support"
    tracker = message_tracker(text, "find_support", {"topic": "physical_abuse"})
    assert choose_reply("find_support", tracker) == "answer_is_it_abuse_told"


def test_the_bots_offer_of_tips_taken_up_is_safe_contact_and_a_text_question_finds_services() -> None:
    assert read_person("yeah tips on contacting them safely pls. she goes through my phone",
                       "ask_how_to_help").intent == "safe_contact"
    assert read_person("Lewisham. Can I text SignHealth?", "safe_contact",
                       [{"name": "safe_contact", "confidence": 0.83}]).intent == "find_support"


@pytest.mark.parametrize(("text", "slots", "reply"), [
    ("hackney E8. will they actually get trans stuff or is it mostly for gay men", {"lgbt_plus": "yes"},
     "answer_will_they_believe_lgbt"),
    ("im a man btw. people will laugh at me", {"gender": "male"}, "answer_will_they_believe_man"),
])
def test_will_they_understand_me(text: str, slots: dict, reply: str) -> None:
    assert read_person(text, "nlu_fallback", [{"name": "nlu_fallback", "confidence": 0.3}]).intent == "find_support"
    assert choose_reply("find_support", message_tracker(text, "find_support", slots)) == reply
    # a trans woman is not sent to the men's line, nor a straight man to Galop
    assert ("0808 801 0327" in _reply_text(reply)) is (reply == "answer_will_they_believe_man")


def test_the_helpline_named_with_police_is_about_the_helpline() -> None:
    text = "if i call the domestic abuse helpline will they tell anyone? like police or social services"
    assert read_person(text, "ask_children", [{"name": "ask_children", "confidence": 0.5}]).intent == "ask_privacy"


def test_a_recent_assault_told_without_the_word_rape() -> None:
    from bot.safety.risk import recent_sexual_assault

    assert recent_sexual_assault("last night a guy i know had sex with me when i was really drunk and i said no")
    assert not recent_sexual_assault("we had sex last night and it was lovely")


def test_too_late_for_the_doctor_after_strangulation() -> None:
    text = "i didnt go to the doctor. is it too late? and i dont want to report him yet"
    tracker = message_tracker(text, "ask_law", {"urgent_notes_given": ["utter_high_risk_strangulation"]})
    assert choose_reply("ask_law", tracker) == "answer_no_hospital_strangulation"


def test_thanks_with_who_they_are_is_who_they_are() -> None:
    text = "thanks. im a guy btw not a girl. and we're not asian if that matters"
    reading = read_person(text, "thank", [{"name": "thank", "confidence": 0.8}])
    assert reading.intent == "find_support" and reading.audience.gender == "male"
    assert not reading.audience.minoritised  # "not asian"


def test_what_a_refuge_is_is_answered_and_nrpf_keeps_its_own_answer() -> None:
    """'what is a refuge' got the homelessness answer twice."""
    assert read_person("what is a refuge", "ask_housing").intent in (None, "ask_housing")
    tracker = message_tracker("what is a refuge", "ask_housing", {})
    assert choose_reply("ask_housing", tracker) == "answer_refuge"
    said = _reply_text("answer_refuge")
    assert "address is kept secret" in said and "0808 2000 247" in said
    nrpf = message_tracker("can i go to a refuge", "ask_housing", {"nrpf": "yes"})
    assert choose_reply("ask_housing", nrpf) != "answer_refuge"
