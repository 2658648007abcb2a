"""A deterministic danger check that does not depend on the trained model.

The classifier can miss a panicked, misspelt or emoji-only message; a missed emergency can cost
a life. These patterns are deliberately broad: a false alarm costs one extra emergency message,
a miss costs far more. They run inside the NLU pipeline (bot/nlu/danger_backstop.py) and in the
channels, so the emergency reply goes out even when Rasa is slow or down.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Emoji that on their own signal a weapon or violence in progress.
_DANGER_EMOJI = ("\U0001f52a", "\U0001f5e1", "\U0001f52b", "\U0001fa78", "\U0001f198")

_PATTERNS: tuple[str, ...] = (
    # weapons
    r"\b(knife|knifes|knives|blade|machete|gun|shotgun|weapon|bat|hammer)\b.{0,40}"
    r"\b(here|now|got|has|holding|outside|door|coming|threat\w*|point\w*|pull\w*|waving)\b",
    r"\b(got|has|holding|with|pulled|grabbed|waving)\b.{0,20}\b(knife|knives|blade|machete|gun|weapon)\b",
    # strangling, choking, suffocating now
    r"\b(strangl\w*|chok\w*|suffocat\w*|smother\w*)\b.{0,25}\b(me|her|him|them|my|now)\b",
    r"\bhands? (a)?round (my|her|his) (neck|throat)\b(?!.{0,40}\b(ago|last|before|once|used to)\b)",
    r"\bcan'?t breathe\b",
    # threats to kill, fear of death
    r"\b(going to|gonna|gna|will|wants to|threaten\w* to|said he'?d|said she'?d|says he'?ll|"
    r"says she'?ll)\s+(kill|murder|stab|shoot|burn)\b",
    r"\b(kill|murder|stab)\w*\s+(me|us|her|him|them|my|the kids|the baby)\b",
    r"\bscared (he|she|they)('?ll| will| is going to| gonna) kill\b",
    r"\bi('?m| am) (going to|gonna) die\b",
    # the abuser is present or arriving
    r"\b(he|she|they)('?s| is| are) (here|outside|at the door|coming( back)?|on (his|her|their) way|"
    r"back|breaking in|trying to (get|break) in|kicking (the )?door|banging on the door)\b",
    r"\bhes (here|outside|coming|back)\b",
    r"\b(breaking|kicking|smashing) (the |my )?(door|window)s?\b",
    r"\btrying to break in\b",
    # trapped, hiding
    r"\b(locked|trapped|shut) (me )?(in|inside)\b",
    r"\b(locked|trapped) (in|inside)\b|\bcan'?t get out\b|\bwon'?t let me (out|leave)\b",
    r"\bhiding (in|from)\b",
    # violence happening now
    r"\b(hitting|beating|punching|kicking|stabbing|attacking|hurting|strangling) "
    r"(me|her|him|us|them|my \w+)\b.{0,20}\b(now|right now|rn|again)\b",
    r"\b(is|are|he'?s|she'?s) (beating|attacking|hitting|hurting|stabbing|strangling|choking)\b",
    r"\bright now\b.{0,30}\b(hurt|hit|beat|attack|kill)\w*",
    r"\b(beat|beaten|beating|attack\w*|hit|hitting|hurt\w*|stabb?\w*|strangl\w*|chok\w*|rap(e|ed|ing))\b"
    r".{0,30}\b(right now|rn|as we speak)\b",
    # help now
    r"\b(help|hlp|halp)\s+(me\s+)?(now|asap|quick|quickly|urgently)\b",
    r"\b(help|hlp|halp)\b.{0,10}\b(now|asap|quick|please|pls|plz|me)\b.{0,15}\b(now|asap|quick)\b",
    r"^\s*(help+|hlp|sos|please help|pls help|plz help|help me|help me please|help now)[\s!.]*$",
    # self-harm in crisis
    r"\b(taken|took|swallowed) (all )?(the |my )?(pills|tablets|overdose)\b",
    r"\b(kill|hurt|end) (myself|my life|it all)\b|\bsuicid\w*\b|\boverdos\w*\b",
    r"\bwant to die\b|\bdon'?t want to (live|be alive)\b",
    # police / emergency requests in progress
    r"\b(call|ring|get|send) (the )?(police|999|ambulance)\b",
    r"\bemergency\b",
)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@lru_cache(maxsize=1)
def _compiled() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def normalise_for_matching(text: str) -> str:
    """Lower-case, compatibility-fold and strip zero-width characters used to dodge matching."""
    folded = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    folded = folded.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(folded.lower().split())


def signals_danger(text: str | None) -> bool:
    """True when the message signals immediate danger, whatever a classifier would say."""
    if not text:
        return False
    if any(emoji in text for emoji in _DANGER_EMOJI):
        return True
    return _compiled().search(normalise_for_matching(text)) is not None
