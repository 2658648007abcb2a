"""Who the person says they are, when they say it: it changes which services can help.

Only what the person says about themselves counts. A partner's pronoun says nothing about the
speaker's gender or sexuality, so "my wife hits me" sets neither: the speaker may be a man or a
woman. Every fact here narrows the services offered (the Men's Advice Line for men, Galop for
LGBT+ people, Childline for under-18s) and is never used to refuse help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.safety.text import for_matching
from bot.understanding.language import language_of

_NUMBER_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_AGE = re.compile(
    r"\b(?:i'?m|i am|im|age|aged|i turned|i'?m only|i am only)\s+(?:only\s+)?"
    r"(\d{1,2}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
    r"(?:\s*(?:years?|yrs?|yo|y/o|and)\b|\s*[,.!?]|\s*$|\s+(?!(?:weeks?|wks?|months?|days?|mins?|minutes?"
    r"|hours?|hrs?|secs?|seconds?|miles?|pounds?|quid|grand|k|stone|kg|percent|times|floors?|stops?|streets?"
    r"|doors?|weeks? pregnant|am|pm|o'?clock)\b)[a-z])"
)
# (any word may follow the age, "im 16 my boyfriend...", except a unit: "I'm 16 weeks pregnant",
# "im 10 mins away" are not ages)
# Someone worried about an older relative: "he's 74", "my gran is 85" (older only: a child's
# age given by a parent must not turn the parent into a young person).
_THEIR_AGE = re.compile(r"\b(?:he'?s|she'?s|he is|she is|(?:my|her|his) (?:\w+ ){1,2}is) (\d{2})\b(?! ?(?:mins?|minutes"
                        r"|times|pounds|quid|miles|percent|%))")
# The person harmed is a man or boy: "my brother's wife hits him", "slaps him about".
_HARM_VERBS = (r"\b(hits?|hitting|slaps?|slapping|punch\w*|kicks?|kicking|beats?|beating|hurts?|hurting"
               r"|bites?|biting|scratch\w*|shoves?|pushes|controls?|controlling|threatens?|abuses?"
               r"|belittles?|attacks?|throws? things at)")
_HARMS_HIM = re.compile(_HARM_VERBS + r" him\b")
_HARMS_HER = re.compile(_HARM_VERBS + r" her\b")
_DECADE = re.compile(r"\bi'?m in my (sixties|seventies|eighties|nineties|60s|70s|80s|90s)\b")
_UNDER_18 = (
    r"\b(i'?m|i am|im) (a |still a )?(teen|teenager|kid|child|minor|schoolgirl|schoolboy|student at school)\b",
    r"\bi'?m (in|at) (year \d{1,2}|sixth form|secondary school|school|college)\b|\bmy (teacher|form tutor"
    r"|head of year)\b",
    r"\bunder 18\b|\bunder eighteen\b|\bunder ?age\b",
    r"\b(my|our) (mum|mom|dad|step ?dad|stepmum|parents)('s (boyfriend|girlfriend"
    r"|partner))? (won'?t let me go to school|grounded)\b",
)
_OLDER = (
    r"\b(i'?m|i am|im) (a )?(pensioner|oap|retired|elderly|older (woman|man|person|lady))\b",
    r"\bmy (pension|care home|carer)\b|\bmy (grandson|granddaughter|grandchildren)\b",
)
_MAN = (
    r"\b(i'?m|i am|im|as) (a |an )?(retired |single |young |older |grown |married |disabled |deaf |black |"
    r"gay |bi |trans |straight |working |\d{2} ?(year old |yo )?)?(man|male|guy|bloke|lad|dad|father|husband|boy)\b",
    r"\b(believe|trust|help) a (man|bloke|guy|lad)\b|\b(help|support|services?|line) for (men|males|blokes|guys)\b",
    r"\bmen get (abused|hit|hurt) too\b|\b(as|being) a (man|bloke|guy)\b",
    r"\bwe'?re both (guys|men|blokes|lads|boys)\b",
    r"\b(i'?m|im|i am) (her|his|their) (husband|boyfriend|fiance)\b",
    # "my boyfriend hit me again. will people think its just two guys fighting?"
    r"\bmy (boyfriend|bf|husband|fella)\b.{0,80}\b(two|2) (guys|men|blokes|lads)\b"
    r"|\b(two|2) (guys|men|blokes|lads)\b.{0,80}\bmy (boyfriend|bf|husband|fella)\b",
    # "I'm a big bloke", "im just a normal lad", "34m", "he/him here"
    r"\b(i'?m|i am|im) (just )?(a |an )(big |tall |strong |normal |ordinary |grown |old |young )+"
    r"(man|guy|bloke|lad|fella)\b",
    r"^\s*\d{2} ?m\b(?!\s*(ago|away|tall|long))|\b(i'?m|im|i am) (a )?\d{2} ?m\b(?!\s*(ago|away|tall|long))",
    r"^\s*he ?/ ?him\s*[,.!:;-]|\bhe ?/ ?him (here|btw)\b"
    r"|\b(my pronouns are|pronouns:?|i use|i go by|i'?m|im) he ?/ ?him\b",
)
_WOMAN = (r"\b(i'?m|i am|im|as) (a |an )?(woman|female|girl|lady|mum|mother|wife|trans woman|lesbian)\b",)
_LGBT = (
    r"\b(gay|lesbian|bisexual|bi ?sexual|trans|transgender|queer|non-?binary|enby|lgbt\w*|lgbtq\w*|"
    r"same[- ]sex|pansexual|genderqueer|intersex|coming out as|came out as|came out to|out me|outing me)\b",
    r"\bi'?m bi\b|\bmy (same-sex|same sex)\b",
    r"\b(we'?re|we are|(and i|and me|me and my (wife|girlfriend|gf|husband|boyfriend|bf|partner|ex)) (are|r))"
    r" both (guys|men|blokes|lads|boys|women|girls|ladies)\b",
    r"\b(we'?re|we are|as) (two|2) (guys|men|blokes|lads|boys|women|girls|ladies)\b",
    r"\b(two|2) (men|women) (in a|together)\b",
    r"\bmy (boyfriend|bf|husband|fella)\b.{0,80}\b(two|2) (guys|men|blokes|lads)\b"
    r"|\b(two|2) (guys|men|blokes|lads)\b.{0,80}\bmy (boyfriend|bf|husband|fella)\b"
    r"|\bmy (girlfriend|gf|wife)\b.{0,80}\b(two|2) (girls|women|ladies)\b"
    r"|\b(two|2) (girls|women|ladies)\b.{0,80}\bmy (girlfriend|gf|wife)\b",
)
# Said gender and a partner of the same gender: "I'm a woman and my wife takes my wages".
_SAME_SEX_PARTNER = {"male": re.compile(r"\bmy (husband|boyfriend|bf|fella|fiance)\b"),
                     "female": re.compile(r"\bmy (wife|girlfriend|gf|missus|fiancee)\b")}
_DEAF = (
    r"\b(deaf|hard of hearing|hearing impair\w*|bsl|british sign language|sign language|textphone|"
    r"can'?t hear|cannot hear|cant hear|hearing aid)\b",
)
_DISABLED = (
    r"\b(disabled|disability|disabilities|wheelchair|blind|partially sighted|visually impaired|"
    r"learning disabilit\w*|autis\w*|my carer|carer (hits|takes|controls|hurts|shouts)|"
    r"mobility|can'?t walk|speech impair\w*|can'?t speak|non-?verbal)\b",
)
_LIMITED_ENGLISH = (
    r"\b(my|i have) (little|bad|poor|not good|limited) english\b|\bno english\b|\benglish (is )?(not|bad"
    r"|poor|little)\b",
    r"\bmy english (is )?(not|isn'?t|is not|bad|poor|weak|very bad)\b|\bnot (speak|speaking) (good )?english\b",
    r"\b(need|want|can i have|is there) an? (interpreter|translator|translation)\b|\binterpreter\b",
    r"\b(speak|speaks|only speak|i speak|speaking) (urdu|punjabi|bengali|bangla|arabic|polish|romanian|spanish|"
    r"portuguese|turkish|kurdish|somali|tamil|gujarati|farsi|persian|french|lithuanian|albanian|tigrinya|amharic|"
    r"chinese|mandarin|cantonese|vietnamese|hindi|pashto|dari|russian|ukrainian)\b",
    r"\b(english|ingles|inglés) (no|poco|nie)\b|\bno hablo\b|\bnie mówię\b|\bnie mowie\b",
    r"\b(little|small|bit of|some|a little|not much|not good|bad|broken) english\b|\bmy english (is )?(small|little"
    r"|not so good|not very good|no good|not well)\b|\benglish (not|no) (good|well|so good)\b",
)
_NRPF = (
    r"\bno recourse\b|\bnrpf\b|\bno (public funds|benefits)\b|\bcan'?t (get|claim) benefits\b",
    r"\b(spouse|partner|student|work|dependant|dependent|tourist) visa\b|\bmy visa\b|\bvisa (runs out"
    r"|expir\w*|is tied)\b",
    r"\b(immigration|asylum|deport\w*|undocumented|overstay\w*|home office|settled status|leave to remain|"
    r"my (status|papers)|no papers|illegal(ly)? here)\b",
)


# A community by-and-for services serve (Southall Black Sisters, Ashiana, IKWRO, LAWRS): said of
# oneself or of the family ("we're Bengali", "my husband is Pakistani"). It only opens those
# services to the person (services_directory.search); nothing else changes.
_MINORITISED = (
    r"(?<!not )(?<!not an )(?<!not a )\b(south asian|asian|bangladeshi|bengali|bangla|pakistani|indian|sikh|punjabi"
    r"|gujarati|tamil|sri lankan"
    r"|nepali|turkish|kurdish|kurd|iranian|persian|afghan|arab|arabic|middle eastern|somali|somalian|eritrean"
    r"|ethiopian|sudanese|nigerian|ghanaian|african|caribbean|jamaican|latin american|latina|latino|brazilian"
    r"|colombian|bolivian|ecuadorian|peruvian|chinese|vietnamese|filipina|filipino|muslim|black and minoritised"
    r"|bme|bame)\b",
    r"\b(i'?m|i am|im|as a|she'?s|she is|we'?re|we are|being a|a) (a )?black (woman|women|girl|lady|mum|mother|person"
    r"|british|family|man|wife)\b|\bblack (community|communities|women)\b",
)


@dataclass(frozen=True)
class Audience:
    """What the person said about themselves in one message (None / False: not said)."""

    gender: Literal["female", "male"] | None = None
    age_group: Literal["under_18", "older"] | None = None
    lgbt_plus: bool = False
    deaf: bool = False
    disabled: bool = False
    limited_english: bool = False
    nrpf: bool = False
    minoritised: bool = False  # not one of the evaluation's tags: it only opens by-and-for services

    def tags(self) -> frozenset[str]:
        """The evaluation's labels: man, lgbt_plus, under_18, older, deaf, disabled, ..."""
        tags = {name for name in ("lgbt_plus", "deaf", "disabled", "limited_english", "nrpf")
                if getattr(self, name)}
        if self.gender == "male":
            tags.add("man")
        if self.age_group:
            tags.add(self.age_group)
        return frozenset(tags)


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    groups = {"under_18": _UNDER_18, "older": _OLDER, "man": _MAN, "woman": _WOMAN, "lgbt": _LGBT,
              "deaf": _DEAF, "disabled": _DISABLED, "limited_english": _LIMITED_ENGLISH, "nrpf": _NRPF,
              "minoritised": _MINORITISED}
    return {name: re.compile("|".join(f"(?:{p})" for p in patterns)) for name, patterns in groups.items()}


def _stated_age(folded: str) -> int | None:
    match = _AGE.search(folded)
    if match:
        raw = match.group(1)
        return int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    # "in my seventies" or "in my 70s": any decade here means an older person.
    if _DECADE.search(folded):
        return 70
    theirs = _THEIR_AGE.search(folded)
    return int(theirs.group(1)) if theirs and int(theirs.group(1)) >= 65 else None


def harmed_gender(text: str | None) -> Literal["female", "male"] | None:
    """Whether the person harmed is a man or a woman, from how the harm is told ("hits him",
    "shoves her"): for someone worried about another person, the services must fit that
    person, not the speaker."""
    folded = for_matching(text)
    if _HARMS_HIM.search(folded):
        return "male"
    if _HARMS_HER.search(folded):
        return "female"
    return None


def harms_a_man(text: str | None) -> bool:
    """The person harmed is male ("his wife hits him"): for someone worried about him, the
    services that fit are men's services."""
    return _HARMS_HIM.search(for_matching(text)) is not None


def audience_of(text: str | None, foreign: bool | None = None) -> Audience:
    """Who the person says they are. `foreign`: whether the message is in another language,
    when the caller has already worked it out (read_person does, once per message)."""
    folded = for_matching(text)
    if not folded:
        return Audience()
    rules = _compiled()
    age = _stated_age(folded)
    age_group: Literal["under_18", "older"] | None = None
    if (age is not None and 5 <= age < 18) or rules["under_18"].search(folded):
        age_group = "under_18"
    elif (age is not None and age >= 65) or rules["older"].search(folded):
        age_group = "older"
    gender: Literal["female", "male"] | None = None
    if rules["man"].search(folded):
        gender = "male"
    elif rules["woman"].search(folded):
        gender = "female"
    return Audience(
        gender=gender,
        age_group=age_group,
        lgbt_plus=(rules["lgbt"].search(folded) is not None
                   or (gender is not None and _SAME_SEX_PARTNER[gender].search(folded) is not None)),
        deaf=rules["deaf"].search(folded) is not None,
        disabled=rules["disabled"].search(folded) is not None,
        limited_english=(rules["limited_english"].search(folded) is not None
                         or (foreign if foreign is not None else language_of(text) is not None)),
        nrpf=rules["nrpf"].search(folded) is not None,
        minoritised=rules["minoritised"].search(folded) is not None,
    )
