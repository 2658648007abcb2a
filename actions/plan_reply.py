"""action_plan_reply: choose what this message needs, in the order it needs it.

It chooses and never words: an urgent note first when the words call for one (suicide, a
recent sexual assault, a high-risk sign), then which variant of `utter_reply` answers the
message for the person speaking, then the services that fit the person (actions/find_services.py),
all sent by name from domain.yml in this one step (bot/nlg.py lets the reply read the `reply`
slot this step sets).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.find_services import send_services, user_messages
from bot.planned_slots import planned
from bot.safety.text import for_matching
from bot.understanding.child_exploitation import (
    asks_if_legal,
    asks_what_to_do,
    child_exploitation_told,
    speaks_of_crime,
    speaks_of_going_missing,
)
from bot.understanding.images import (
    asks_about_own_images,
    images_shared_now,
    shares_own_images,
    speaks_of_own_images,
)
from bot.understanding.questions import (
    asks_about_dash_or_marac,
    asks_about_hospital,
    asks_about_police,
    asks_about_refuge,
    asks_about_silent_solution,
    asks_if_abuse,
    asks_if_believed,
    asks_if_helpline_confidential,
    asks_to_stop_it,
    asks_us_to_call,
    fears_children_taken_abroad,
    is_question,
    reluctant_about_hospital,
    shields_them,
    thinks_of_stepping_in,
    threatens_deportation,
)
from bot.understanding.reading import PHYSICAL_HARM, supporter_worry
from bot.understanding.speaker import (
    asks_whom_to_tell,
    doubts_self,
    names_a_parent,
    sees_parent_harmed,
    speaks_as_professional,
    switches_to_self,
)

ABUSE_TOPICS = (
    "coercive_control", "physical_abuse", "sexual_violence", "economic_abuse", "tech_abuse",
    "harassment", "stalking", "fgm", "forced_marriage", "honour_based_abuse",
    "trafficking_exploitation",
)
QUESTION_REPLIES: dict[str, str] = {
    "ask_number": "answer_number",
    "ask_privacy": "answer_privacy",
    "ask_housing": "answer_housing",
    "ask_leaving": "answer_leaving",
    "ask_money": "answer_money",
    "ask_immigration": "answer_immigration",
    "ask_children": "answer_children",
    "ask_law": "answer_law",
    "ask_evidence": "answer_evidence",
    "ask_how_to_help": "answer_how_to_help",
    "find_support": "answer_next_steps",
    "self_harm": "after_self_harm",
}
# Questions whose answer is the same whoever asks: what this chat keeps, suicide support, and
# next steps (which has its own variant for someone worried about their own behaviour).
_QUESTIONS_ANSWERED_ALIKE = frozenset({"ask_privacy", "self_harm", "find_support"})
# Topics whose own explanation names the specialist service a deportation threat needs.
_OWN_SPECIALIST_ANSWER = ("trafficking_exploitation", "honour_based_abuse", "forced_marriage", "fgm",
                          "perpetrator_help")
# Most serious first: only one urgent note leads a reply.
RISK_SIGN_ORDER = ("threat_to_kill", "weapon", "strangulation", "child_at_risk", "pregnancy",
                   "separation")
# Kinds of abuse whose explanation is written for an adult harmed by a partner or ex.
_ADULT_EXPLANATIONS = frozenset({"coercive_control", "economic_abuse", "tech_abuse", "harassment", "stalking"})
# A grown-up named as a young person's partner: "my boyfriend is 24", "hes 19".
_ADULT_PARTNER = re.compile(
    r"\b(boyfriend|girlfriend|bf|gf|partner|he|she|hes|shes|he's|she's|he is|she is)( is)? (1[89]|[2-9][0-9])\b",
    re.IGNORECASE)
_SCHOOL = re.compile(r"\b(school|teachers?|college|head ?teacher|form tutor|tutor|safeguarding lead|sixth form)\b",
                     re.IGNORECASE)
# A carer named as the one harming (not "I'm a carer for my mum", where the speaker cares).
# Each mention, with the words that would make the speaker the carer (group 1).
_CARER = re.compile(r"\b((?:i'm|im|i am|as) (?:a|her|his|their) (?:main )?)?"
                    r"(carer|care worker|care assistant|support worker|home help|care home)\b")


def entity_values(tracker: Tracker, name: str) -> list[str]:
    return [str(e.get("value")) for e in tracker.latest_message.get("entities") or []
            if e.get("entity") == name and e.get("value")]


def choose_reply(intent: str | None, tracker: Tracker) -> str:
    """The utter_reply variant for this message.

    The explanation just given is not given again word for word: "it was 2 years ago" and
    "i never told anyone" after telling of rape had the same long explanation three times.
    They are heard, and the explanation waits until something new is told.
    """
    reply = _choose_reply(intent, tracker)
    speaker = tracker.get_slot("speaker")
    text = tracker.latest_message.get("text") or ""
    if (reply.startswith("explain_") and reply == last_explanation(tracker) and speaker != "own_behaviour"
            and adds_to_what_was_told(text) and not is_question(text)):
        return "answer_heard_more_supporter" if speaker == "other" else "answer_heard_more"
    return reply


# What someone else did ("he just shouts and calls me names") is a new telling, worth the
# explanation that names it; "it was 2 years ago", "i never told anyone" or "i dont want to but i
# love my mum and dad" add to what was told.
_SOMEONE_ACTS = re.compile(r"\b(he|she|they|him|them|his|their|hes|shes|he'?s|she'?s|they'?re)\b", re.IGNORECASE)


def adds_to_what_was_told(text: str) -> bool:
    words = len(text.split())
    return words <= 5 or (words <= 14 and not _SOMEONE_ACTS.search(text))


def replies_given(tracker: Tracker) -> list[str]:
    """The replies this conversation has had, latest first (the `reply` slot and its history)."""
    history = [str(event.get("value")) for event in reversed(tracker.events)
               if event.get("event") == "slot" and event.get("name") == "reply" and event.get("value")]
    current = tracker.get_slot("reply")
    return [current, *history] if isinstance(current, str) else history


def last_explanation(tracker: Tracker) -> str | None:
    """The last explanation of a kind of abuse this conversation gave."""
    return next((reply for reply in replies_given(tracker) if reply.startswith("explain_")), None)


_PASSPORT = re.compile(r"\bpassports?\b", re.IGNORECASE)
_AFTER_ASSAULT_CARE = re.compile(r"\b(tested|test|tests|shower|showered|wash|washed|evidence|morning after|"
                                 r"emergency contraception|pep|hiv|sti|pregnan\w*|checked|havens?)\b", re.IGNORECASE)
_CLARES_LAW = re.compile(r"\bclare'?s law\b|\bdisclosure scheme\b|\bright to ask\b", re.IGNORECASE)
# "can i use it for my sisters new boyfriend?" after Clare's Law was explained
_USE_IT_FOR = re.compile(r"\b(use|apply|ask)\b.{0,20}\b(it|that|this|for)\b.{0,40}\b(boyfriend|girlfriend|bf|gf"
                         r"|partner|husband|wife|fella|man|ex)\b", re.IGNORECASE)
# "can i contact social services even tho its mum not a paid carer?" after the carer explanation
_ADULT_SOCIAL_CARE = re.compile(r"\b(social services|social care|social worker|the council|safeguarding|report"
                                r"|take (him|her|dad|mum) away|arrested)\b", re.IGNORECASE)
# "can i still report it to the police a week later?"
_REPORT_LATER = re.compile(r"\b(report|tell|call|ring)\b.{0,30}\b(police|101|them)\b.{0,40}\b(later|week|days?"
                           r"|too late|after|since)\b|\btoo late to (report|tell|call)\b", re.IGNORECASE)
# Violence heard from next door, upstairs or the street, as it happens.
_HEARD_NEARBY = re.compile(r"\b(next door|through the wall|upstairs|downstairs|the flat (above|below)|my neighbou?rs?"
                           r"|in the street|outside my (house|flat|window))\b", re.IGNORECASE)
# Messages that are not about the child: greetings, thanks, being a bot, self-harm.
_NOT_ABOUT_THE_CHILD = frozenset({"greet", "goodbye", "thank", "bot_challenge", "self_harm", "affirm", "deny"})


def _choose_reply(intent: str | None, tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    if "other" in entity_values(tracker, "language") and intent in ("find_support", None):
        return "answer_other_language"  # written in another language: short, plain, interpreter
    topic = tracker.get_slot("topic")
    under_18 = tracker.get_slot("age_group") == "under_18"
    # read once: several answers below depend on what was said and answered before
    given = replies_given(tracker)
    notes = notes_given(tracker)
    messages = user_messages(tracker)
    if under_18 and intent in ("ask_law", "forced_marriage") and (
            topic == "forced_marriage" or intent == "forced_marriage") and "?" in text:
        return "answer_marriage_under_18"
    forced_marriage_told = topic == "forced_marriage" or any(
        reply.startswith(("explain_forced_marriage", "answer_stop_forced_marriage"))
        for reply in given)
    if (forced_marriage_told and tracker.get_slot("speaker") != "own_behaviour" and intent != "self_harm"
            and (((intent in QUESTION_REPLIES or intent == "forced_marriage") and asks_to_stop_it(text))
                 or (intent == "trafficking_exploitation" and _PASSPORT.search(text)))):
        # "can I stop it without getting them in trouble?", "what if they take her passport": the
        # ways to stop it, including help that needs no court order, rather than the explanation
        # again, a question back, or trafficking read into the passport
        if tracker.get_slot("speaker") == "other":
            return "answer_stop_forced_marriage_supporter"
        return "answer_stop_forced_marriage_under_18" if under_18 else "answer_stop_forced_marriage"
    if ("utter_high_risk_pregnancy" in notes and intent not in ("self_harm", "quick_exit")
            and (asks_about_hospital(text) or reluctant_about_hospital(text))):
        # "should i go hospital? i dont want them to call police on him" after a kick in pregnancy
        return "answer_hospital_pregnancy"
    if (intent == "ask_privacy" and asks_if_helpline_confidential(text)
            and tracker.get_slot("speaker") in (None, "self")):
        return "answer_helpline_confidential"  # the helpline's confidentiality, not this chat's
    if intent in ("ask_how_to_help", "nlu_fallback", "out_of_scope") and asks_about_dash_or_marac(text):
        return "answer_dash_marac"  # a professional's question (sourced-facts section 24)
    if asks_if_believed(text) and intent not in ("self_harm", "quick_exit"):
        # "will galop judge me? ... a man getting hurt by a man": the line made for them
        if tracker.get_slot("lgbt_plus") == "yes":
            return "answer_will_they_believe_lgbt"
        if tracker.get_slot("gender") == "male":
            return "answer_will_they_believe_man"
    if intent == "ask_law" and _CLARES_LAW.search(text):
        return "answer_clares_law"  # the right to ask, not protection orders first
    if given[:1] == ["answer_clares_law"] and _USE_IT_FOR.search(text) and intent not in ("self_harm",):
        return "answer_clares_law"
    if (under_18 and tracker.get_slot("speaker") != "other" and asks_whom_to_tell(text)
            and intent not in ("self_harm", "quick_exit")):
        # "should i tell my mum" from a 17-year-old: telling an adult they trust, and Childline,
        # not how to help a friend
        return "answer_young_person"
    if (intent == "ask_housing" and asks_about_refuge(text) and not under_18
            and tracker.get_slot("nrpf") != "yes" and tracker.get_slot("speaker") != "own_behaviour"):
        return "answer_refuge"  # what a refuge is and how to get a space (sourced-facts section 27)
    if thinks_of_stepping_in(text) and intent not in ("self_harm", "quick_exit"):
        return "answer_dont_step_in_young" if under_18 else "answer_dont_step_in"
    if ("explain_carer_abuse" in given and tracker.get_slot("speaker") == "other"
            and _ADULT_SOCIAL_CARE.search(text) and intent not in ("self_harm",)):
        return "answer_adult_safeguarding_supporter"
    if (tracker.get_slot("speaker") == "other" and _REPORT_LATER.search(text)
            and intent in ("ask_law", "ask_how_to_help", "find_support", "nlu_fallback", *ABUSE_TOPICS)):
        return "answer_report_later_supporter"
    if intent == "ask_number" and asks_about_silent_solution(text):
        return "answer_silent_solution"
    if ("utter_high_risk_strangulation" in notes and intent not in ("self_harm", "quick_exit")
            and asks_about_hospital(text)):
        return "answer_no_hospital_strangulation"  # "i didnt go to the doctor. is it too late?"
    if intent == "find_support" and reluctant_about_hospital(text):
        # after the note that sent them to a doctor or A&E, what else they can do
        if "utter_self_harm_support" in notes:
            if tracker.get_slot("speaker") == "other":
                return "answer_no_hospital_self_harm_supporter"
            return "answer_no_hospital_self_harm"
        if "utter_high_risk_strangulation" in notes:
            return "answer_no_hospital_strangulation"
    if switches_to_self(text) and intent not in ABUSE_TOPICS:
        return "welcome_as_self"
    if shields_them(text) and tracker.get_slot("speaker") == "self" and not under_18:
        # "I don't want to get him in trouble": help is not a report to the police (a child's
        # safety is not theirs alone to decide, so not said to under-18s)
        return "answer_not_in_trouble"
    if (tracker.get_slot("speaker") == "other" and intent not in _NOT_ABOUT_THE_CHILD
            and child_exploitation_told(messages)
            and not speaks_as_professional(messages)
            and ("answer_child_exploitation" not in given or asks_what_to_do(text) or asks_if_legal(text)
                 or speaks_of_crime(text) or speaks_of_going_missing(text) or intent in ABUSE_TOPICS)):
        # a child groomed or exploited ("my daughter is 15 and he is 22, he buys her things"):
        # the police, children's social care and the NSPCC, not adult services' answers. Then
        # "is that even legal?" or "its not trafficking hes her boyfriend": the law, shortly;
        # "who do I tell, the police or the school?": whom to tell.
        if "answer_child_exploitation" not in given:
            return "answer_child_exploitation"
        if speaks_of_going_missing(text):
            return "answer_child_missing"  # "should i report him missing when he doesnt come home"
        if speaks_of_crime(text):
            return "answer_child_criminal_exploitation"  # "is this county lines? i dont want him arrested"
        if asks_what_to_do(text) and not asks_if_legal(text):
            return "answer_child_exploitation_who_to_tell"
        return "answer_child_exploitation_law"
    if asks_if_abuse(text) and tracker.get_slot("speaker") != "own_behaviour":
        # "is this normal?", "am I overreacting?": about what they told, if they told it
        if topic not in ABUSE_TOPICS:
            return "answer_is_it_abuse"
        return "answer_is_it_abuse_supporter" if tracker.get_slot("speaker") == "other" else "answer_is_it_abuse_told"
    if asks_about_police(text) and "utter_recent_sexual_assault" in notes:
        # After a recent assault "do I have to go to the police?" is about the Havens' care.
        return "answer_police_after_assault"
    if (under_18 and intent in (*ABUSE_TOPICS, "find_support", "ask_law", "ask_evidence")
            and tracker.get_slot("speaker") != "other"
            and (shares_own_images(text)
                 or ((asks_about_own_images(text) or images_shared_now(text))
                     and speaks_of_own_images(messages)))):
        # "im 15 and my boyfriend says he'll send my pics to everyone": a crime against a child,
        # with routes of its own (Report Remove, CEOP); the adults' helpline is not for her
        return "answer_images_under_18"
    if under_18 and intent == "ask_children" and tracker.get_slot("speaker") != "other":
        # "will the school help me" from a 16-year-old: the answer on children is written for
        # parents ("people who abuse often threaten that the children will be taken away")
        return "answer_school_young_person" if _SCHOOL.search(text) else "answer_young_person"
    if under_18 and intent in (*ABUSE_TOPICS, "find_support") and sees_parent_harmed(text):
        return "answer_child_at_home"  # "my dad hits my mum, im 13": a victim too, not a helper
    if under_18 and intent == "physical_abuse" and not PHYSICAL_HARM.search(text):
        # "im 15 and my stepdad keeps coming into my room at night": no violence was told, and
        # the explanation of being hit would answer something she did not say
        return "answer_young_person"
    if under_18 and intent == "physical_abuse" and tracker.get_slot("speaker") != "other":
        # "im 14 and my stepdad hits me": a child being hurt needs a young person's answer
        # (Childline, an adult they trust), not the adult explanation of partner violence
        return "answer_young_person_hurt"
    if (under_18 and intent in _ADULT_EXPLANATIONS and tracker.get_slot("speaker") != "other"
            and (names_a_parent(text) or _ADULT_PARTNER.search(text))):
        # "my mum's boyfriend shouts at me and locks us in our room, im 12", or "my boyfriend is
        # 24 and im 15": the explanation of coercive control is written for adults in a
        # relationship ("rules about what you spend"); a child with an adult is not one
        return "answer_young_person_hurt" if PHYSICAL_HARM.search(text) else "answer_young_person"
    if intent == "find_support" and under_18 and "under_18" in entity_values(tracker, "age_group"):
        return "answer_young_person"  # they have just told us their age
    if (intent == "find_support" and tracker.get_slot("topic") in ABUSE_TOPICS
            and tracker.get_slot("speaker") in ("self", "other") and tells_who_they_are(tracker)):
        # "im a guy btw" after telling what is happening: the services that follow now fit
        return "answer_who_they_are"
    if tracker.get_slot("speaker") == "other" and supporter_worry(text, intent):
        return how_to_help(tracker)
    if (threatens_deportation(text) and intent not in _OWN_SPECIALIST_ANSWER
            and tracker.get_slot("speaker") != "own_behaviour"):
        # Told they will be deported if they leave: the answer on immigration is what frees them.
        return "answer_immigration"
    if intent == "ask_housing" and tracker.get_slot("nrpf") == "yes":
        # The council's homelessness duty the housing answer describes depends on immigration
        # status: someone with no recourse to public funds needs the routes that take her.
        return "answer_immigration"
    if (tracker.get_slot("speaker") == "own_behaviour" and intent in QUESTION_REPLIES
            and intent not in _QUESTIONS_ANSWERED_ALIKE):
        # "will they tell the police if I call?" from someone who pushed his girlfriend: the
        # answer on children or the law written for the person harmed would speak to the wrong
        # person ("people who abuse often threaten...").
        return "answer_own_behaviour_question"
    if intent == "ask_children" and fears_children_taken_abroad(text):
        return "answer_children_abroad"  # what can stop it, and how fast, not social services
    if (intent == "find_support" and tracker.get_slot("topic") in ABUSE_TOPICS
            and tracker.get_slot("speaker") == "self"):
        # "what else can i do" after telling what is happening: not "tell me what's happening"
        return "answer_next_steps_told"
    if intent in QUESTION_REPLIES:
        reply = QUESTION_REPLIES[intent]
        return how_to_help(tracker) if reply == "answer_how_to_help" else reply
    if doubts_self(text) and tracker.get_slot("speaker") != "own_behaviour":
        return "answer_am_i_abusive"
    if intent == "perpetrator_help" or tracker.get_slot("speaker") == "own_behaviour":
        return "explain_own_behaviour"
    if intent in ABUSE_TOPICS:
        if (tracker.get_slot("speaker") == "other" and PROFESSIONAL_HOW_TO_HELP not in given
                and how_to_help(tracker) == PROFESSIONAL_HOW_TO_HELP):
            # "I'm a teacher and a pupil told me her dad hits her mum": what to do in their role
            # first; the explanation of the kind of abuse can follow when they ask
            return PROFESSIONAL_HOW_TO_HELP
        if any(not mention.group(1) for mention in _CARER.finditer(for_matching(text))):
            return "explain_carer_abuse"
        return f"explain_{intent}"
    return "answer_next_steps"


PROFESSIONAL_HOW_TO_HELP = "answer_how_to_help_professional"


def how_to_help(tracker: Tracker) -> str:
    """A GP or a teacher told of abuse at work has duties a friend does not (a safeguarding
    procedure, a referral); a friend is not told to follow a procedure they do not have."""
    if speaks_as_professional(user_messages(tracker)):
        return PROFESSIONAL_HOW_TO_HELP
    return "answer_how_to_help"


# What a person can tell about who they are (bot/understanding/audience.py), as entities.
_WHO_THEY_ARE = ("gender", "age_group", "lgbt_plus", "deaf", "disabled", "limited_english", "nrpf", "minoritised")


def tells_who_they_are(tracker: Tracker) -> bool:
    """A short message that tells who the person is and asks nothing ("im deaf", "i'm gay by
    the way")."""
    text = tracker.latest_message.get("text") or ""
    return (len(text.split()) <= 16 and not is_question(text)
            and any(entity_values(tracker, name) for name in _WHO_THEY_ARE))


def choose_urgent_note(tracker: Tracker) -> str | None:
    """The response that must come before the reply, if any."""
    if tracker.get_slot("speaker") == "own_behaviour":
        return None
    urgency = set(entity_values(tracker, "urgency"))
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if "suicide" in urgency or intent == "self_harm":
        return "utter_self_harm_support"
    if "recent_sexual_assault" in urgency or (
            "utter_recent_sexual_assault" in notes_given(tracker)
            and _AFTER_ASSAULT_CARE.search(tracker.latest_message.get("text") or "")):
        # and again when asked about what it covers: "can i still get tested if i shower?"
        return "utter_recent_sexual_assault"
    signs = set(entity_values(tracker, "risk_sign"))
    for sign in RISK_SIGN_ORDER:
        if sign in signs:
            return f"utter_high_risk_{sign}"
    return None


def notes_given(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("urgent_notes_given") or [])


class ActionPlanReply(Action):
    def name(self) -> str:
        return "action_plan_reply"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reply = choose_reply(intent, tracker)
        events: list[dict[str, Any]] = [SlotSet("reply", reply)]
        note = choose_urgent_note(tracker)
        given = notes_given(tracker)
        # The same high-risk note once per conversation is enough; suicide and a recent
        # assault are said every time they come up.
        if note and (note not in given or not note.startswith("utter_high_risk")):
            events.append(SlotSet("urgent_notes_given", [*given, note]))
            dispatcher.utter_message(response=note)
        # The reply's variant is chosen from the slot set above, in this same step (bot/nlg.py),
        # then the services that fit the person and what follows them.
        dispatcher.utter_message(response="utter_reply", **planned(reply=reply))
        return [*events, *send_services(dispatcher, tracker, {"reply": reply})]


# The specialist line for the kind of abuse told beside danger ("my brother will kill me if I
# marry him"), sent after the emergency message: the topic's explanation waits, the number not.
# Kinds the National Domestic Abuse Helpline already covers need no line of their own.
SPECIALIST_AFTER_EMERGENCY = {
    topic: f"utter_specialist_after_emergency_{topic}"
    for topic in ("forced_marriage", "honour_based_abuse", "stalking", "sexual_violence",
                  "trafficking_exploitation")
}


# Marks, in `urgent_notes_given`, that a supporter in an emergency has had the how-to-help answer.
HOW_TO_HELP_AFTER_EMERGENCY = "answer_how_to_help"


class ActionFollowEmergency(Action):
    """After the emergency message, name a high-risk sign the person gave ("he keeps a
    machete", "he says he'll kill me if I leave") and the specialist line for the kind of abuse
    they told: danger now does not make either less true, and they are what a specialist would
    say next. A friend or relative telling of danger ("my friend's boyfriend is hurting her,
    what do I do") also asked what to do for her: 999 stays first, and the how-to-help answer
    follows, so the emergency text is not all they get. Each once per conversation."""

    def name(self) -> str:
        return "action_follow_emergency"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        signs = set(entity_values(tracker, "risk_sign"))
        given = notes_given(tracker)
        if asks_us_to_call(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(response="utter_cannot_call_for_you")  # said every time asked
        sent: list[str] = []
        note = next((f"utter_high_risk_{sign}" for sign in RISK_SIGN_ORDER
                     if sign in signs and f"utter_high_risk_{sign}" not in given), None)
        if note:
            sent.append(note)
        line = SPECIALIST_AFTER_EMERGENCY.get(tracker.get_slot("topic") or "")
        if line and line not in given:
            sent.append(line)
        for response in sent:
            dispatcher.utter_message(response=response)
        events: list[dict[str, Any]] = []
        if (tracker.get_slot("speaker") == "other"
                and HOW_TO_HELP_AFTER_EMERGENCY not in given):
            sent.append(HOW_TO_HELP_AFTER_EMERGENCY)
            # someone hearing it through the wall is told not to go in, not to "keep in touch"
            reply = ("answer_dont_step_in" if _HEARD_NEARBY.search(tracker.latest_message.get("text") or "")
                     else how_to_help(tracker))
            events.append(SlotSet("reply", reply))
            dispatcher.utter_message(response="utter_reply", **planned(reply=reply))
        return [*events, SlotSet("urgent_notes_given", [*given, *sent])] if sent else []
