"""One reading of a message on every axis, shared by the NLU component and the evaluation.

The classifier's intent says what the message is about; this adds who is speaking, how urgent
it is, who the person is and whether they named a place outside London, and corrects the
intent where the words settle it (see bot/nlu/person_axes.py for why each override exists).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from bot.safety.danger import signals_danger
from bot.safety.risk import high_risk_signs, recent_sexual_assault
from bot.safety.self_harm import signals_self_harm
from bot.understanding.audience import Audience, audience_of, harmed_gender
from bot.understanding.exit import abuser_present, wants_to_leave
from bot.understanding.language import language_of
from bot.understanding.other_language_topics import topic_in_language
from bot.understanding.questions import is_question, question_intent
from bot.understanding.speaker import Speaker, doubts_self, sees_parent_harmed, speaker_of, switches_to_self
from services_directory.uk_places import outside_london_place

ABUSE_TOPICS = frozenset({
    "coercive_control", "physical_abuse", "sexual_violence", "economic_abuse", "tech_abuse",
    "harassment", "stalking", "fgm", "forced_marriage", "honour_based_abuse",
    "trafficking_exploitation",
})
PERPETRATOR = "perpetrator_help"
# Intents a bare place name is often mistaken for.
PLACE_LIKE = frozenset({"nlu_fallback", "out_of_scope", "affirm", "deny", "greet", "thank",
                        "goodbye", "find_support", None})
HOW_TO_HELP = re.compile(r"\b(how (can|do|should|could) i (help|support)|"
                         r"what (can|should|do|could) i (actually |even |possibly )?do)\b", re.IGNORECASE)
# Intents the classifier may lean to that can answer someone describing their situation.
_ANSWERABLE = ABUSE_TOPICS | {"find_support", "ask_number", "ask_privacy", "ask_housing", "ask_leaving",
                              "ask_money", "ask_immigration", "ask_children", "ask_law",
                              "ask_evidence", "ask_how_to_help", "safe_contact"}
# "how do I stop him seeing I visited this site": keeping this private, whatever the topic.
_SAFE_CONTACT = re.compile(
    r"\b(stop|prevent|hide|delete|clear|wipe|make sure|not let)\b.{0,30}\b(see|seeing|find|finding|know|knowing|"
    r"history)\b.{0,30}\b(this (site|website|page|chat)|my (browser |search )?history|i (visited|was on|used) this)\b|"
    r"\bhow (do|can) i (hide|delete|clear|wipe)\b.{0,30}\b(history|this (site|chat|page|website))\b|"
    # the bot's own offer taken up: "yeah tips on contacting them safely pls"
    r"\b(contact|contacting|call|calling|ring|ringing|reach|reaching) (them|services?|the helpline|someone) safely\b|"
    r"\bhow (do|can) i (ring|call|phone|contact) (them|the helpline|someone|a service)\b.{0,20}\bwithout (him|her|them)"
    r" (seeing|knowing|finding out)\b",
    re.IGNORECASE)
# "do you keep my texts?": a question about what this service stores, not about evidence.
_ABOUT_OUR_RECORDS = re.compile(
    r"\b(do|will|does|are|is) (you|this|this chat|this service|this bot|it) (keep|keeping|store|storing|save|"
    r"saving|record|recording|log|logging|remember|share|sharing)\b", re.IGNORECASE)
# A supporter asking what to do: "should I be doing something?"
_SUPPORTER_ASKS = re.compile(HOW_TO_HELP.pattern + r"|\bshould (i|we) (be )?(doing|do|say|call|report|tell|step in)\b",
                             re.IGNORECASE)
# A supporter's worry about what to do, or about the person not wanting help: answered with
# how to help ("let them decide, even if it takes time"), never with a topic or a question back.
SUPPORTER_WORRY = re.compile(
    _SUPPORTER_ASKS.pattern + r"|\bshould (i|we) (do something|get involved|intervene|say something)\b"
    r"|\bwhat if (she|he|they) (doesn'?t|does not|don'?t|do not|won'?t|will not|refuses? to) "
    r"(want (help|to leave|to go|to report|to talk|me to)|leave|listen|get help|report|talk)\b"
    r"|\b(she|he|they) (won'?t|will not|doesn'?t want to|does not want to|refuses? to) "
    r"(leave(?!\s+(me|her|him|us|them)\s+alone)|get help|report|talk to (me|anyone|the police)"
    r"|listen)\b|\bhow (do|can|should|could) i (bring (it|this) up|raise it|approach (her|him|them)|"
    r"start (that|the|this) conversation)\b", re.IGNORECASE)
# A cover story or a denial, told by someone who sees the signs: how to help answers it, unless
# the classifier heard a kind of abuse ("she says she's fine with marrying him at 16").
COVER_STORY = re.compile(
    r"\b(she|he|they) (says?|said|claims?|claimed|told me|tells me) (she|he|they|it) (walked into|fell|tripped"
    r"|bumped|slipped|was (an accident|clumsy|nothing))"
    r"|\b(she|he|they) (says?|said|insists?|insisted|keeps? saying) (everything'?s|it'?s|its|they'?re|she'?s|he'?s"
    r"|everything is|it is|she is|he is) (fine|ok|okay|nothing|all right|alright)\b"
    r"|\b(she|he|they) (denies|denied|won'?t admit) (it|anything|that)\b", re.IGNORECASE)


def supporter_worry(text: str | None, intent: str | None) -> bool:
    """A supporter's worry about how to help, or a cover story when no kind of abuse was heard."""
    return bool(SUPPORTER_WORRY.search(text or "")
                or (intent not in ABUSE_TOPICS and COVER_STORY.search(text or "")))


# Sexual touching by someone at home or close is sexual abuse, not street harassment: "my mum's
# boyfriend keeps touching me" was answered with the harassment text about flashing.
_TOUCHED_BY_SOMEONE_CLOSE = re.compile(
    r"\b(touch(es|ing|ed)?|grop(es|ing|ed)) me\b", re.IGNORECASE)
_SOMEONE_CLOSE = re.compile(
    r"\b(step ?dad|stepfather|step ?brother|dad|father|uncle|brother|cousin|grand(dad|pa|father)|"
    r"(mum|mom|mother)'?s (boyfriend|partner|husband)|my (boyfriend|husband|partner|bf|ex))\b",
    re.IGNORECASE)
# Getting round a block to keep contacting someone is the fixation that makes it stalking, not
# only harassment (Protection from Harassment Act 1997 s.2A(3), docs/reference/sourced-facts.md):
# "he makes a new account every time I block him". Posting about someone is not contact.
_THEY_BLOCKED = (r"\b((i|we|she|he)( have|'ve|'d| had)? (block|blocked|blocks)|blocking (him|her|them|his|her)"
                 r"|block (him|her|them|his|her))\b")
_NEW_WAY_IN = r"\b(new|another|different|fake|second|other) (accounts?|numbers?|profiles?|sims?|emails?|phones?)\b"
_CONTACT_DESPITE_BLOCKING = re.compile(
    r"\b(every ?time|whenever|each time|after|since|even though|when) (i|we|she|he) (block|blocked|blocks)\b"
    r".{0,60}\b(messag\w*|text\w*|call\w*|ring\w*|contact\w*|dm\w*|writ\w* to|get hold of)\b"
    rf"|{_NEW_WAY_IN}.{{0,60}}{_THEY_BLOCKED}|{_THEY_BLOCKED}.{{0,60}}{_NEW_WAY_IN}",
    re.IGNORECASE)
# A partner or ex threatening to "out" someone is controlling them (coercive control), not
# honour-based abuse, even when the threat is to tell the family: "my ex keeps threatening to
# out me to my family". A family punishing someone for being gay stays honour-based abuse.
_THREATENS_OUTING = re.compile(
    r"\b(out|outing) me\b"
    r"|\btell (my|everyone|people|the)\b.{0,40}\b(i'?m|im|i am) (gay|lesbian|bi|bisexual|trans|queer)\b",
    re.IGNORECASE)
_PARTNER_OR_EX = re.compile(
    r"\b(my )?(ex|partner|boyfriend|girlfriend|bf|gf|husband|wife|fiance|fiancee)\b|^\s*(he|she|they) ", re.IGNORECASE)
_TELLS_OF_CONTROL = re.compile(
    r"\b(he|she|they|my (boyfriend|girlfriend|bf|gf|husband|wife|partner|ex|dad|mum|family|brother))"
    r"( always| keeps| still)? (checks?|reads?|goes through|went through|tracks?|monitors?|takes?|took|smashe[sd]"
    r"|controls?|won'?t let|wont let|makes? me|gets? (angry|mad|jealous|violent))\b", re.IGNORECASE)
# "is it abuse if he never hits me": abuse without violence is the answer, not the explanation
# of being hit.
_NOT_PHYSICAL = re.compile(
    r"\b((has )?never|not|doesn'?t|doesnt|does not|didn'?t|didnt|hasn'?t|hasnt|has not|won'?t|wont|not like (he|she)"
    r"|isn'?t|isnt|wasn'?t|wasnt|aren'?t|arent|ain'?t)"
    r"( ever| actually| really| even)? (hit|hits|hitting|beat|beats|hurt|hurts|touch|touches|touched|laid a finger"
    r"|lay a finger|physically hurt|been violent|violent|physical)\b( me| on me)?|\b(it'?s|its|it is) not physical\b"
    r"|\bno (violence|hitting|bruises)\b", re.IGNORECASE)
# Keeping from someone what they need to hear, move or stay well ("he takes my hearing aids away
# when he's angry") is control, told without violence.
_WITHHOLDS_AIDS = re.compile(
    r"\b(takes?|took|taking|hides?|hid|hiding|keeps?|kept|keeping|withh[oe]lds?|withholding|removes?|removed|"
    r"breaks?|broke|locks? up|locked up|throws? away|threw away)\b.{0,12}\b(my|her|his|their|me|them)\b.{0,4}"
    r"\b(hearing aids?|wheelchair|walking (stick|frame)|crutches|mobility scooter|glasses|medication|medicines?|"
    r"tablets|pills|inhaler|insulin|hearing aid batteries|cochlear implant)\b", re.IGNORECASE)
PHYSICAL_HARM = re.compile(
    r"\b(hit|hits|hitting|punch\w*|kick\w*|slap\w*|push\w*|shov\w*|strangl\w*|chok\w*|beat\w*|bruis\w*|threw|throws"
    r"|bit|bites|burn\w*|stab\w*|grab\w*|pinned|hurt\w*|violent|violence|physical)\b", re.IGNORECASE)
_HOW_TO_REACH = re.compile(r"\b(text|txt|contact|reach|talk|speak|call|ring|sign|bsl|email|message|chat)\b",
                           re.IGNORECASE)
_SHORT = re.compile(r"^\W*(\w+\W+){0,5}\w*\W*$")


@dataclass(frozen=True)
class PersonReading:
    speaker: Speaker | None = None
    urgency: frozenset[str] = frozenset()
    risk_signs: frozenset[str] = frozenset()
    audience: Audience = field(default_factory=Audience)
    outside_london: str | None = None
    intent: str | None = None
    # False when only the weak sign said "self": the speaker slot then keeps what it had.
    speaker_firm: bool = True
    # The message is plainly in another language (bot/understanding/language.py).
    other_language: bool = False
    # In danger, the kind of abuse the classifier also heard, so later services fit it.
    topic: str | None = None

    ENTITY_NAMES: ClassVar[frozenset[str]] = frozenset({
        "speaker", "urgency", "risk_sign", "gender", "age_group", "lgbt_plus", "deaf",
        "disabled", "limited_english", "nrpf", "minoritised", "place_scope", "language", "topic",
    })

    def entities(self) -> Iterator[tuple[str, str]]:
        if self.speaker and self.speaker_firm:
            yield "speaker", self.speaker
        for level in sorted(self.urgency):
            yield "urgency", level
        for sign in sorted(self.risk_signs):
            yield "risk_sign", sign
        if self.audience.gender:
            yield "gender", self.audience.gender
        if self.audience.age_group:
            yield "age_group", self.audience.age_group
        for flag in ("lgbt_plus", "deaf", "disabled", "limited_english", "nrpf", "minoritised"):
            if getattr(self.audience, flag):
                yield flag, "yes"
        if self.other_language:
            yield "language", "other"
        if self.topic:
            yield "topic", self.topic
        if self.outside_london:
            yield "place_scope", "outside_london"
            yield "location", self.outside_london.title()


def _best_topic(ranking: Sequence[dict[str, Any]], at_least: float = 0.0) -> str | None:
    for candidate in ranking:
        if candidate.get("name") in ABUSE_TOPICS:
            return str(candidate["name"]) if float(candidate.get("confidence", 0)) >= at_least else None
    return None


# A place with a story ("I live in Manchester and my husband hits me") is explained first only
# when the classifier also heard a kind of abuse; "my mate's band is playing in camden tonight"
# is a place, not trafficking at 0.05.
_TOPIC_BESIDE_A_PLACE = 0.2
# How sure the classifier must be of a kind of abuse told alongside danger for its services to
# follow the emergency reply.
_TOPIC_UNDER_DANGER = 0.3
# How much of the classifier's belief must be on a kind of abuse for an unplaced message from
# someone under 18 to be answered as a young person telling of harm.
_YOUNG_PERSON_HARM = 0.15




def _between_topics(ranking: Sequence[dict[str, Any]]) -> str | None:
    """Unsure only between two kinds of abuse: either explanation helps more than a question."""
    ranked = [r for r in ranking if r.get("name") != "nlu_fallback"][:2]
    if (len(ranked) == 2 and all(r.get("name") in ABUSE_TOPICS for r in ranked)
            and float(ranked[0].get("confidence", 0)) >= 0.3):
        return str(ranked[0]["name"])
    return None


def _leaning(ranking: Sequence[dict[str, Any]], speaker: Speaker | None) -> str | None:
    """Someone plainly describing their own or another's situation, where the classifier leans
    one way: an answer to that is kinder than a question back. Never towards own-behaviour."""
    if speaker not in ("self", "other"):
        return None
    for candidate in ranking:
        name = candidate.get("name")
        if name in ("nlu_fallback", PERPETRATOR):
            continue
        if name in _ANSWERABLE and float(candidate.get("confidence", 0)) >= 0.15:
            return str(name)
        return None
    return None


# "hes not here now", "she's gone out so I can talk": the person harming them is away, the moment
# to talk. The model, trained on "he's here", heard danger in it; the danger words (bot/safety/
# danger.py) still catch "he's not here yet but he's coming".
_THEY_ARE = r"(he|she|they|hes|shes|he'?s|she'?s|theyre|they'?re|he is|she is|they are)"
_AWAY = re.compile(
    rf"\b{_THEY_ARE}\s+"
    r"(is\s+|are\s+)?((not|isn'?t|isnt|aren'?t|arent|not back|not in)\s+(here|home|in|around|back|in the house)"
    r"|(gone|left|out|away|asleep|sleeping|at work|on shift|at the pub|out with (his|her|their) (mates|friends)))\b"
    r"|\b(he|she|they)'?s?\s+(has|have)\s+(gone|left)\b", re.IGNORECASE)


# "he's 14", "she is 15", "im 16": an age on its own. The model heard "he's here" in "he's 14".
_ONLY_AN_AGE = re.compile(
    rf"^\W*(and |but |oh |sorry |btw |also )?({_THEY_ARE}"
    r"|i'?m|im|i am|my \w+ is|my \w+'?s)\s*(only |just |nearly |almost |about )?\d{1,2}"
    r"( years? old| yrs?( old)?| y/?o)?( now| btw| too)?\W*$", re.IGNORECASE)


def only_tells_age(text: str | None) -> bool:
    return _ONLY_AN_AGE.search(text or "") is not None


def says_they_are_away(text: str | None) -> bool:
    """A short message saying the person who harms them is not there now."""
    return len((text or "").split()) <= 12 and _AWAY.search(text or "") is not None


# "is this county lines?", "is that grooming?": asking what something is, not telling of danger
_ASKS_WHAT_IT_IS = re.compile(r"^\W*(so |but |and |ok |okay )?(is|was) (this|that|it) [a-z]", re.IGNORECASE)


def asks_what_it_is(text: str | None) -> bool:
    return "?" in (text or "") and _ASKS_WHAT_IT_IS.search(text or "") is not None


def says_no_danger_now(text: str | None) -> bool:
    """Words that settle a model-only danger reading the other way, each answered with next
    steps that name 999: "hes not violent tho", "hes not here now", "he's 14", "is this county
    lines?"."""
    return denies_violence(text) or says_they_are_away(text) or only_tells_age(text) or asks_what_it_is(text)


def denies_violence(text: str | None) -> bool:
    """A short "he's not violent tho": the model heard danger in the word "violent"."""
    return len((text or "").split()) <= 10 and _NOT_PHYSICAL.search(text or "") is not None


def read_person(text: str, intent: str | None, ranking: Sequence[dict[str, Any]] = (),
                has_location: bool = False) -> PersonReading:
    """Every axis of one message; `intent` is set only when it should replace the classifier's."""
    suicide = signals_self_harm(text)
    speaker = speaker_of(text)
    firm_speaker = speaker if speaker != "self" else speaker_of(text, weak=False)
    # The deterministic danger words always count. The model alone calling a message danger is
    # overruled only where the words settle it otherwise, and each of those answers says 999 too:
    # a suicide ("she's going to kill herself"), "it's actually me", "am I the abuser?", or
    # someone asking how to help another person.
    model_only_danger = intent == "immediate_danger" and not signals_danger(text)
    not_danger_after_all = model_only_danger and (
        suicide or switches_to_self(text) or doubts_self(text) or says_no_danger_now(text)
        or (speaker == "other" and _SUPPORTER_ASKS.search(text or "") is not None))
    danger = signals_danger(text) or (model_only_danger and not not_danger_after_all)
    recent_assault = recent_sexual_assault(text)
    signs = high_risk_signs(text)
    urgency = {name for name, present in (("danger_now", danger), ("suicide", suicide),
                                           ("recent_sexual_assault", recent_assault),
                                           ("high_risk", bool(signs))) if present}
    place = None if has_location else outside_london_place(text)
    language = language_of(text)
    foreign = language is not None
    audience = audience_of(text, foreign)  # read once: several answers below depend on it

    override: str | None = None
    if wants_to_leave(text):
        override = "quick_exit"
    elif not_danger_after_all and not suicide:
        if switches_to_self(text):
            override = "find_support"
        elif doubts_self(text):
            override = _best_topic(ranking) or "find_support"
        elif says_no_danger_now(text):
            override = "find_support"  # next steps, which name 999 too
        else:
            override = "ask_how_to_help"
    # --- a clear question (bot/understanding/questions.py): answered as asked, even over a
    # topic or an immediate_danger only the model heard; never over danger words or self-harm.
    elif (not _SAFE_CONTACT.search(text or "")
          and (asked := question_intent(text, intent, speaker, recent_assault, ranking)) is not None):
        override = asked
    # --- end of the question hook
    elif danger:
        override = "immediate_danger" if intent != "immediate_danger" and signals_danger(text) else None
    elif suicide:
        override = "self_harm"  # a friend's suicide risk too: 999 or A&E and Samaritans first
    elif speaker == "own_behaviour" and intent in ABUSE_TOPICS | {"find_support", "nlu_fallback"}:
        override = PERPETRATOR
    elif intent == PERPETRATOR and speaker != "own_behaviour":
        # Only someone who says they harm someone is answered as someone who abuses. With no
        # kind of abuse heard either ("i love sushi" at 0.45) and no person in the words, a
        # question back fits better than an explanation.
        override = (_best_topic(ranking, _TOPIC_BESIDE_A_PLACE)
                    or ("find_support" if speaker else "nlu_fallback"))
    elif (audience.deaf and intent in PLACE_LIKE | {"safe_contact", "ask_number"}
          and _HOW_TO_REACH.search(text or "")):
        # "I'm Deaf, can I text someone?": the services, introduced with emergencySMS and
        # Relay UK, answer it; a question back or tips on hiding history do not.
        override = "find_support"
    elif _SAFE_CONTACT.search(text or "") and intent != "safe_contact":
        override = "safe_contact"
    elif _ABOUT_OUR_RECORDS.search(text or "") and intent != "ask_privacy":
        override = "ask_privacy"
    elif switches_to_self(text) and intent not in ABUSE_TOPICS:
        override = "find_support"  # answered as the person affected (actions/plan_reply.py)
    elif intent in ("harassment", "tech_abuse") and _CONTACT_DESPITE_BLOCKING.search(text or ""):
        override = "stalking"
    elif (intent in ("honour_based_abuse", "harassment") and _THREATENS_OUTING.search(text or "")
          and _PARTNER_OR_EX.search(text or "")):
        override = "coercive_control"
    elif ((recent_assault and intent != "sexual_violence")
          or (intent == "harassment" and _TOUCHED_BY_SOMEONE_CLOSE.search(text or "")
              and _SOMEONE_CLOSE.search(text or ""))):
        override = "sexual_violence"
    elif (intent == "inform_location" and speaker in ("self", "other") and not _SHORT.match(text or "")
          and (told := _best_topic(ranking, _TOPIC_BESIDE_A_PLACE))):
        # "I live in Manchester and my husband hits me": what is happening comes first; the
        # place still finds services after the explanation.
        override = told
    elif (place or has_location) and intent in PLACE_LIKE | {"quick_exit"} and _SHORT.match(text or ""):
        # (a postcode the classifier alone took for leaving, "HA9 0WS" at 0.44, is a place: the
        # words of leaving were checked first)
        override = "inform_location"
    elif intent in ("thank", "greet") and audience.tags() and len((text or "").split()) > 3:
        # "thanks. im a guy btw not a girl": who they are, not only thanks
        override = "find_support"
    elif (intent in PLACE_LIKE | {"inform_location"} and not (place or has_location)
          and audience.tags() and _SHORT.match(text or "")):
        # "im 15", "I'm a man", "I'm deaf": who they are changes which services fit.
        override = "find_support"
    elif intent in ("nlu_fallback", "safe_contact") and supporter_worry(text, intent) and firm_speaker is None:
        # "what can I actually do?": a supporter (the slot says so) gets how to help them, the
        # person affected their next steps (actions/plan_reply.py). "what if she doesn't want
        # help" is not a question about contacting help safely, whatever the classifier leant to.
        override = "find_support"
    elif (intent in ("nlu_fallback", "find_support", "out_of_scope") and speaker == "other"
          and supporter_worry(text, intent)):
        override = "ask_how_to_help"
    elif intent == "nlu_fallback" and speaker in ("self", "other"):
        override = _between_topics(ranking) or _leaning(ranking, speaker)
    if (override is None and intent == "nlu_fallback" and audience.age_group == "under_18"
            and _best_topic(ranking, _YOUNG_PERSON_HARM)):
        # A young person telling of harm nothing above could place ("im in year 10 and my step
        # dad pulls my hair"): their own answer (not your fault, Childline) rather than a
        # question back (actions/plan_reply.py).
        override = "find_support"
    if ((override or intent) == "physical_abuse"
            and (_NOT_PHYSICAL.search(text or "") or _WITHHOLDS_AIDS.search(text or ""))
            and not PHYSICAL_HARM.search(_NOT_PHYSICAL.sub(" ", text or ""))):
        override = "coercive_control"  # its explanation says: abuse, and a crime, with no violence
    if ((override or intent) == "safe_contact" and not is_question(text)
            and _TELLS_OF_CONTROL.search(text or "") and _best_topic(ranking)):
        # "my boyfriend checks my phone and gets angry if i talk to boys" tells of control;
        # tips on contacting help safely answer a question she did not ask.
        override = _best_topic(ranking)
    if foreign and override is None and not danger and intent not in ("quick_exit", "self_harm"):
        # The classifier read English into it ("meu marido me bate" was forced marriage): a
        # short plain answer with the interpreter route fits better (actions/plan_reply.py).
        override = "find_support"
    if (override is None and not danger and not suicide and text and text.strip()
            and not any(ch.isalnum() for ch in text)
            and intent not in ("affirm", "deny", "thank", "greet", "goodbye", "quick_exit")):
        # only emoji ("😢", "💔"): someone finding no words gets the next steps, gently, not
        # "Sorry, I can't help with that" (a thumbs-up or a wave keeps its own reading)
        override = "find_support"
    if override == "quick_exit" and abuser_present(text):
        urgency.add("danger_now")
    if model_only_danger and override not in (None, "immediate_danger", "quick_exit"):
        urgency.discard("danger_now")  # the words settled it otherwise (see above)
    if speaker == "other" and audience.age_group == "under_18" and sees_parent_harmed(text):
        # "my dad hits my mum, im 13": the child is harmed too, and is answered as such
        speaker, firm_speaker = "self", "self"
    if speaker == "other":
        # the services must fit the person harmed: "I'm a man and my sister's husband hits her"
        audience = replace(audience, gender=harmed_gender(text))
    if foreign:
        # The classifier reads English into another language ("meu marido me bate" was forced
        # marriage): only the language's own words tell the kind of abuse, for the services that
        # follow the short interpreter answer or the emergency message.
        told = (override or intent) in ("immediate_danger", "find_support")
        topic = topic_in_language(text, language) if told else None
    elif (override or intent) == "immediate_danger":
        topic = _best_topic(ranking, _TOPIC_UNDER_DANGER)
    else:
        topic = None
    return PersonReading(speaker=speaker, urgency=frozenset(urgency), risk_signs=signs,
                         audience=audience, outside_london=place, intent=override,
                         speaker_firm=firm_speaker == speaker, other_language=foreign, topic=topic)
