"""High-risk signs that are not "happening now", and sexual assault in the last few days.

These change what the bot says first: a threat to kill, a weapon, strangulation, pregnancy, a
recent or planned separation and a child at risk are the signs that risk assessments used by
police and domestic abuse services treat as high risk, and a person should hear that plainly.
Someone assaulted in the last days needs the time-limited options (emergency contraception,
HIV prevention, forensic evidence) before anything else.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.safety.danger import _KILL, _NOT_SELF, _WEAPON, _WILL
from bot.safety.text import for_matching

RISK_SIGNS: dict[str, tuple[str, ...]] = {
    "threat_to_kill": (
        rf"\b{_WILL}\s*{_KILL}\b{_NOT_SELF}", rf"\bthreat\w* (to|he'?d|she'?d) {_KILL}\b",
        r"\bdeath threats?\b", rf"\b{_KILL}\w* (me|us|the kids)\b",
        r"\b(slit|cut) (my|her|your|our) throats?\b",
        # "if he can't have me, no one can": a threat to kill in other words
        r"\b(can'?t|cannot|won'?t) have (me|you|her|him),? (then )?(no ?one|nobody|no one else|noone) (can|will)\b",
        # in other words: "I'd end up in a box", "he'd put me in the ground", "he threatened my life"
        r"(\b(end up|ending up|be)|(\w'd|\w'll|\bhed|\bwould|\bwill|\bgonna|\bgoing to) put (me|you|her|"
        r"us)) in (a box|a coffin|the ground|a body bag|the morgue"
        r"|the cemetery|a grave)\b(?!\s*floor)",
        r"\b(bury|burying) (me|you|her|us)\b(?! in (work|paperwork|emails))",
        r"\bnever see (another|my next|your next|her next) (birthday|christmas|day|summer)\b",
        rf"\b{_WILL}\s*(end|finish) (me|us|her|you)\b",
        r"\bthreat\w* (my|our|her|your) li(fe|ves)\b",
    ),
    "weapon": (
        rf"\b{_WEAPON}\b", r"\b(crossbow|machete|cleaver|sword|taser|acid)\b",
        # anything used to attack or threaten is a weapon: "she came at me with a broken bottle"
        r"\b(came|comes|coming|went|goes|lunged) (at|for) (me|her|him|us) with\b",
        r"\b(threatened|threatens|attacked|attacks|hit|hits) (me|her|him|us) with (a|an|the|his|her) "
        r"(?!(question|lot|bill|fine|charge|text|message|call|letter|joke|compliment)s?\b)\w+",
    ),
    "strangulation": (
        r"\b(strangl\w*|chok\w*|throttl\w*|suffocat\w*|smother\w*)\b",
        r"\bhands? (a)?round (my|her|his) (neck|throat)\b", r"\b(grabbed|squeezed) (my|her) (neck|throat)\b",
        r"\b(grabbed|grabs|held|holds|pinned|pushed) (me|her|him) (up )?(by|against the wall by) the (neck|throat)\b",
        r"\b(passed out|blacked out|couldn'?t breathe)\b",
        # suffocation is the same offence (Domestic Abuse Act 2021 s.70; sourced-facts.md section 5)
        r"\b(put|puts|pressed|presses|held|holds|pushed|pushes|shoved) (a |the |his |her |their )?"
        r"(pillow|cushion|hand|hands|bag|plastic bag) over (my|her|his) (face|mouth|nose|head)\b",
        r"\b(held|holds|pushed|pushes|forced|kept|keeps) (my|her|his) head under( the)? water\b",
        r"\b(held|holds|pushed|pushes) (me|her|him) under( the)? water\b",
        r"\bcover(ed|s|ing)? (my|her) (mouth and nose|nose and mouth)\b",
        r"\bheadlock\b|\bwindpipe\b",
        r"\b(arm|forearm|knee|foot|hands?) (across|on|against|over|round|around) (my|her|his) (throat|neck)\b",
        r"\b(grabbed|grabs|squeez\w*|held|holds|pressed|presses|took|takes) (me |her )?(round|around|"
        r"by) the (neck|throat)\b",
    ),
    "pregnancy": (
        r"\bpregnan\w*\b", r"\bexpecting (a baby|twins)\b", r"\b(\d+|few|six|seven|eight) months gone\b",
        # "I'm expecting" alone, not "expecting a call"
        r"\b(i'?m|im|i am) (\d+ (weeks|months) )?expecting\b"
        r"(?!\s+(a|an|the|to|him|her|them|some|my|his|your|it)\b)",
        r"\b\d+ weeks gone\b", r"\b(having|carrying) (his|her|our|a) baby\b(?!\s*(shower|sitter|monitor|clothes))",
        r"\b(pregant|pregnent|preganant|preggers|preggo|prego)\b", r"\b(carrying|having) (his|her|their|"
        r"our|a|the) child\b",
        r"\b(i'?m|im|i am) \d+ ?(weeks|wks)\b(?!\s+(ago|late|behind|into|in|off|away|sober|clean))",
        r"\b(my|the|her) (baby )?bump\b",
    ),
    "separation": (
        r"\b(i|we) (just |recently |finally )?(left|split( up)?|broke up|separated)\b",
        r"\b(planning|going|trying|about) to leave (him|her|them)\b|\bplanning to leave\b",
        r"\b(i'?m|im|i am) (telling|going to tell|gonna tell) (him|her|them) (i'?m|im|i am) (leaving|going)\b",
        r"\b(i'?m|im|i am) (leaving|moving out)\b.{0,30}\b(this|next|on|at the|tomorrow|tonight|soon)\b",
        r"\bsince (i|we) (left|split|broke up|separated)\b", r"\bafter (i|we) (left|split|broke up)\b",
        r"\b(told|tell|telling) (him|her|them) (it'?s|its|it is) over\b",
        r"\bif (i|you) (ever )?(leave|go|try to leave)\b.{0,40}\b(find|hunt|track|kill|hurt|come after)\b",
        r"\b(ending it|end it|ended it|breaking up|finishing it) with (him|her|them)\b",
        r"\b(want|wants|wanted|asked for|asking for|getting|filed for|filing for|file for|started|"
        r"starting) (a )?divorce\b",
        r"\b(i|we) (ended|finished) (things|it|the relationship)\b|\bsince (i|we) (ended|finished) (things|it)\b",
        r"\b(asked|told) (him|her|them) to (leave|move out|go)\b",
        r"\b(want|wanting|need|needing|trying|try|tried) to leave (him|her|them)\b",
    ),
    "child_at_risk": (
        r"\b(hits?|hurts?|hurting|hitting|beats?|beating|threaten\w*|touch\w*|grabs?|grabbed) "
        r"(the kids|my kids|the children|my children|my (son|daughter|baby)|the baby|our (son|daughter|baby|kids))\b",
        # "hes started hitting my teenage son", "threw my 3 year old onto the sofa"
        r"\b(hit|hits|hitting|hurt|hurts|hurting|beat|beats|beating|grab\w*|threw|throw\w*|push\w*|shov\w*|"
        r"slap\w*|punch\w*|kick\w*|shak\w*) (at )?(my|our|the|her|his|their) (\w+ )?(\d+ ?(year|yr) ?old|"
        r"toddler|baby|son|daughter|kids?|children|child|boy|girl|little one|stepson|stepdaughter)\b",
        r"\b(kids|children|son|daughter|baby)('s| is| are)? (scared|terrified|hurt|not safe)\b",
        r"\b(in front of|while) (the kids|my kids|the children|my (son|daughter)|the baby|her|him)\b",
        r"\b(kids|children|son|daughter|baby|child)\b.{0,40}\b(in the room|watching|watches|sees it|saw it|"
        r"see it|heard it|hears it|hear it)\b",
        r"\b(shook|shakes|shaking|shaken) (the|my|our|his|her) (baby|toddler|child|son|daughter|kids?|little one)\b",
        r"\b(kids|children|son|daughter|baby|child|little ones?)\b.{0,30}\b(hide|hides|hiding|hid|cry|cries|crying|"
        r"wets? the bed|shake|shaking)\b.{0,20}\bwhen (he|she|they|my \w+)\b",
        r"\b(threw|throws|thrown|chucked) (a |the |his |her )?\w+ (at|towards) (my|our|the|her|his|their) (\w+ )?"
        r"(son|daughter|kids?|children|child|baby|boy|girl)\b",
        r"\b(son|daughter|kids|children|child|baby|boy|girl)\b.{0,20}\b(saw|sees|seen|watched|watches|heard|hears) "
        r"(him|her|them) (hit|hitting|hurt|hurting|beat|beating|attack\w*|strangl\w*|chok\w*|push\w*|kick\w*"
        r"|slap\w*)\b",
        r"\b(take|taking|took) (the|my|our) (kids|children|baby|son|daughter)\b.{0,40}\b(never see|"
        r"away from me|abroad|out of the country)\b",
        r"\block(s|ed|ing)? (the|my|our) (kids|children|son|daughter|baby) in\b",
    ),
}

_RECENT = (
    r"\b(last night|tonight|this morning|this afternoon|today|yesterday|earlier|hours ago|"
    r"(a |one |two |three |four |five |few |couple of |2 |3 |4 |5 )(days?|nights?) ago|at the weekend|"
    r"on (monday|tuesday|wednesday|thursday|friday|saturday|sunday)|last (weekend|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)|"
    r"this week|just now)\b"
)
_ASSAULT = (
    r"\b(rap(ed|e)|sexually assaulted|assaulted me|forced (me )?(to have )?sex|had sex with me while|"
    r"made me have sex|spiked|drugged|took advantage of me|touched me|forced himself|forced herself|"
    r"(did|done|doing) (stuff|things|something|sexual (stuff|things)) to me\b.{0,50}\b(didn'?t|did not|didnt) want|"
    r"made me do (sexual )?(stuff|things)\b.{0,50}\b(didn'?t|did not|didnt) want|"
    r"(didn'?t|did not|wouldn'?t|would not) (stop|take no)\b.{0,40}\b(said no|saying no|told him no|for an answer)|"
    r"(woke up|was asleep|while i (was )?(slept|sleeping|asleep))\b.{0,40}\b(having sex|on top of me|inside me|"
    r"touching me)|having sex with me while|"
    # from personas (fifth session): consent that could not be given, held down, hands under clothes
    r"(had|having|have) sex with me (when|while|after) (i was |i'?d )?(really |so |very |too )?(drunk|asleep"
    r"|passed out|out of it|unconscious|high|blackout|wasted|off my face)|"
    # "a guy i know had sex with me ... and i said no"
    r"(had|having|have) sex with me\b.{0,60}\b(i said no|said no|didn'?t want|did not want|told (him|her|them) no"
    r"|couldn'?t say no)|"
    r"(held|pinned|holding) me down\b.{0,50}\b(said no|saying no|say no|told him no|no\b)|"
    r"forced me (last night|tonight|this morning|yesterday|earlier|again)|"
    r"(put|stuck|shoved) (his|her|their) hands? (up|down|inside|in|under) my "
    r"(skirt|dress|top|knickers|pants|trousers|shorts)|"
    r"woke up\b.{0,60}\b(no memory|can'?t remember|clothes (were )?off|naked))\b"
)
_AFTERMATH = r"\b(haven'?t|havent|not) (showered|washed|changed)\b|\b(morning after pill|emergency contraception|pep)\b"


@lru_cache(maxsize=1)
def _compiled_signs() -> dict[str, re.Pattern[str]]:
    return {sign: re.compile("|".join(f"(?:{p})" for p in patterns))
            for sign, patterns in RISK_SIGNS.items()}


def high_risk_signs(text: str | None) -> frozenset[str]:
    """The high-risk signs the message names (empty when none)."""
    folded = for_matching(text)
    if not folded:
        return frozenset()
    return frozenset(sign for sign, pattern in _compiled_signs().items() if pattern.search(folded))


@lru_cache(maxsize=1)
def _recent_assault() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return re.compile(_RECENT), re.compile(_ASSAULT), re.compile(_AFTERMATH)


def recent_sexual_assault(text: str | None) -> bool:
    """Sexual assault in the last days: a recent time with an assault, or its aftermath."""
    folded = for_matching(text)
    if not folded:
        return False
    recent, assault, aftermath = _recent_assault()
    return bool(assault.search(folded) and (recent.search(folded) or aftermath.search(folded)))
