"""Suicide and self-harm: a different first reply from danger caused by someone else.

Someone who says they want to die needs Samaritans, and 999 or A&E if their life is at risk
now; the Silent Solution (press 55) is for a person who cannot speak in front of an attacker
and would be the wrong advice. Both checks read the shared normalised text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.safety.text import for_matching

_THOUGHTS = (
    r"\b(kill|hurt|harm|end|cut) (myself|my self|meself|my life|it all)\b",
    r"\b(killing|hurting|harming|cutting) (myself|my self)\b",
    r"\bsuicid\w*\b|\bself[- ]?harm\w*\b",
    r"\b(want|wanna|wish i could|going) (to )?die\b|\bwish i (was|were) dead\b",
    r"\bdon'?t want to (live|be alive|be here|wake up|go on)\b|\bdont want to (live|be alive|be here)\b",
    r"\bno (point|reason) (in )?(living|going on|being alive)\b|\bcan'?t go on\b",
    r"\b(better off|be better) without me\b|\bend(ing)? (it|things) (all )?(tonight|today|now)\b",
    r"\b(tablets|pills) (saved|stored|hidden|stockpiled)\b",
    r"\b(saved|saving|stockpil\w*) (up )?(my |the )?(tablets|pills)\b",
    r"\b(want|wish|need) (it|this|everything) (all )?to (end|stop)( forever| for good)?\b",
    r"\b(started|start) (cutting|self harming|hurting myself)\b|\b(cutting|cut myself|self harming) again\b",
    r"\b(going to|gonna|about to|want to) (jump|hang myself|end it|end things)\b",
    r"\btired of (living|being alive|life)\b",
    r"\b(think|thinking|thought|thoughts) (about|of) (ending (it|things|my life)|killing myself|suicide"
    r"|not being (here|alive|around)|dying)\b",
    r"\b(everyone|everybody|they|the kids|my (kids|family|children)|people)('d| would| will)? be better off"
    r"\b.{0,25}\b(without me|if i (wasn'?t|was not|weren'?t|wasnt) (here|around|alive)|if i (was|were) gone"
    r"|if i died)\b",
    # someone else's suicide risk, told by a friend: still Samaritans and 999, not the Silent Solution
    r"\b(kill|killing|kills|hurt|hurting|harm|harming|end) (herself|himself|themselves|themself|her life"
    r"|his life|their life)\b",
    r"\b(written|wrote|writing|left) (letters|a letter|notes|a note|goodbye)\b",
)
# Life at risk right now: the reply leads with 999 / A&E.
_NOW = (
    r"\b(taken|took|swallowed|had|downed|drank|drunk)\b.{0,30}\b(pills|tablets|overdose|paracetamol|"
    r"painkillers|sleeping pills|medication|meds|bleach|poison|antifreeze)\b",
    r"\boverdos\w*\b",
    r"\b(cut|cutting) (myself|my wrists?)\b.{0,20}\b(now|bleeding|won'?t stop)\b",
    r"\bbleeding (a lot|badly|won'?t stop)\b",
    r"\b(going to|gonna|about to) (kill myself|end it)\b.{0,20}\b(now|tonight|today)\b",
)


@lru_cache(maxsize=2)
def _compiled(now: bool) -> re.Pattern[str]:
    patterns = _NOW if now else _THOUGHTS + _NOW
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def signals_self_harm(text: str | None) -> bool:
    """Thoughts of suicide or self-harm, or an attempt in progress."""
    return bool(text) and _compiled(False).search(for_matching(text)) is not None


def life_at_risk_now(text: str | None) -> bool:
    """An overdose taken or harm in progress: 999 or A&E before anything else."""
    return bool(text) and _compiled(True).search(for_matching(text)) is not None
