"""Leaving the page in the person's own words, not only the word "exit".

Someone whose abuser walks in types what comes first: "hes back gtg", "get me off this page",
"he's coming I need to close this". Leaving comes before everything else, danger included,
because the screen may be seen. Leaving a *relationship* ("I need to leave him", "how do I
leave") is not leaving the page.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.safety.text import for_matching

_PATTERNS = (
    r"^\s*(/?exit|quick exit|leave|close|hide|get out|go away|delete|delete (this|it|everything)|clear)[\s!.]*$",
    r"\b(gtg|g2g|gtfo|got ?ta go|gotta go|got to go|gota go|i'?ve got to go)\b(?! to\b)(?! and\b)",
    # "I have to go" as a goodbye, not "does she have to go homeless?" or "have to go into a refuge"
    r"\b(have to go|hav to go|need to go|must go)\b(?=\s*($|[.!,]|now\b|bye\b|sorry\b|x+\b|quick|sry\b"
    r"|(he|she|they)\b))",
    r"\b(close|closing|clsoe|colse|cloes|clos|shut|hide|exit|delete|clear|wipe|get rid of) (this|it|the (page"
    r"|chat|site|website|window|app|tab|conversation|messages))\b",
    # The abuser arriving, said and nothing else: hide first, then help.
    r"^\W*(oh no |shit |omg )?(he|she|they|hes|shes|he'?s|she'?s|they'?re|theyre|my (husband|wife|partner|boyfriend"
    r"|girlfriend|dad|mum|ex)( is|'?s)?)( is| are| has| have)? ?(just )?(walked in|walking in|come in|came in"
    r"|coming in|coming up|coming up the stairs|coming upstairs|coming|here|home|arrived|got home|come home"
    r"|came home|pulled up|outside|at the door|on the stairs|on (his|her|their|the) way( up| in| home| back)?)"
    r"( now)?\W*$",
    # alarm first, and nothing else: "shit he's back", "omg hes coming" (not "oh god he's back and
    # he's taken his belt off", which tells of danger: 999 first)
    r"^\W*(oh no|oh god|shit|omg|fuck|crap|f+)\W+(he|she|they|hes|shes|he'?s|she'?s|they'?re|theyre)( is| are)? "
    r"(back|coming)( now| home| in| back)?\W*$",
    r"\b(get|take) me (off|out of|away from) (this|here|the (page|site|chat|website))\b",
    r"\bleave (this|the) (page|site|chat|website|conversation)\b|\bleave now\b(?!.{0,20}\b(him|her|them)\b)",
    r"\b(quick|quickly|fast) exit\b|\bexit (now|quick|quickly|this)\b",
    r"\b(he'?s|hes|she'?s|shes|they'?re) (coming|back|here|home)\b.{0,25}\b(go|bye|close|exit|hide|delete)\b",
    r"\bcan'?t talk\b.{0,15}\b(now|bye|go)\b",
    r"\b(coming|here|back|home|upstairs|walking in|walked in|came in|come in|pulled up|on the stairs|its him"
    r"|it'?s him|it'?s her)\b.{0,15}\b(bye|go go|gtg|g2g)\b",
    # his car arriving, said and nothing else: "his car just pulled up"
    r"^\W*(oh no |shit |omg )?(his|her|their) car (has )?(just )?(pulled up|pulled in|is outside)( now)?\W*$",
    r"\bbye\b.{0,20}\b(he'?s|hes|she'?s|shes|they'?re|mum'?s|dad'?s|mums|dads) (coming|here|back|home)\b",
    # signs he is there, then a goodbye: "his key is in the door bye", "he woke up gtg"
    r"\b((his|her|their) keys? (is |are )?(in|at) the door|hear (his|her|their) (car|key|keys|voice|footsteps)"
    r"|(he'?s|hes|she'?s|shes|he is|she is) (awake|up|downstairs|upstairs|behind me|next to me|looking)"
    r"|(he|she) (woke|just woke|has woken|'?s woken) up)\b.{0,20}\b(bye|gtg|g2g|go go|gotta go|got to go|close|hide"
    r"|delete)\b",
    r"\b(he|she|they) can see (the|my|this) (screen|phone|laptop)\b",
    r"\b(zamknij|cierra|ferme|fecha|inchide|kapat)\b",
)
# The person leaves because the abuser is there or arriving: that is danger now as well, though
# leaving still comes first (the reply that hides the page says 999 on SMS and Telegram).
_ABUSER_PRESENT = re.compile(
    r"\b(he|she|they|hes|shes|he'?s|she'?s|they'?re|theyre|my (husband|wife|partner|boyfriend|girlfriend"
    r"|dad|mum|ex))( is| are|'?s| has| have)? ?(just )?(walked in|walking in|come in|came in|coming in|coming up"
    r"|coming|back|here|home|arrived|got home|come home|came home|pulled up|outside|at the door|on the stairs"
    r"|on (his|her|their) way( back| home)?|back early|got back|just got in|awake|woken up|woke up|up|downstairs"
    r"|upstairs|in the next room|next door|behind me|next to me|right here|looking|watching)\b"
    r"|\b(he|she|they) can see (the|my|this) (screen|phone|laptop)\b|\bit'?s (him|her)\b"
    r"|\b(his|her|their) (key|keys) (is |are )?(in|at) the door\b"
    r"|\b(i )?(can )?hear (his|her|their) (car|key|keys|voice|footsteps)\b"
    r"|\b(hear|heard) (him|her|them) (on the stairs|coming|at the door|downstairs|upstairs|outside|in the hall)\b"
    r"|\b(he|she|they) (came|come|comes|got) (back|home)( early| now)?\b"
    r"|\b(husband|wife|partner|boyfriend|girlfriend|bf|gf)('?s| is)? (home|back|here)( now| early)?\b"
    r"|\b(his|her|their) car\b.{0,20}\b(pulled up|pulled in|outside|in the drive|on the drive)\b"
    r"|\bpulled (into|onto|up on|up in) the drive(way)?\b"
    r"|\bsomeone'?s (coming|here|at the door)\b")
# "what do I need if I have to go in a hurry": going in the future is not leaving the page now.
_IF_GOING = re.compile(r"\b(if|when|before|in case) (i|we) (have|need|had|got) to go\b|\bgo in a hurry\b")
# "exit" inside a question about the feature is not a request to leave.
_ABOUT_EXIT = re.compile(r"\b(how|what|does|is|where|why) .{0,20}\b(exit|close|delete|hide)\b.*\?|"
                         r"^(how|what|does|is|where|why|can) .{0,40}\b(exit|close|delete|hide)\b")


@lru_cache(maxsize=1)
def _compiled() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def wants_to_leave(text: str | None) -> bool:
    """True when the person asks, in any words, to leave or hide the conversation now."""
    folded = for_matching(text)
    if not folded or _ABOUT_EXIT.search(folded) or _IF_GOING.search(folded):
        return False
    return _compiled().search(folded) is not None


def abuser_present(text: str | None) -> bool:
    """True when the words say the abuser is there or on the way. For a message already read as
    leaving the page (read_person checks wants_to_leave once), so it does not check that again."""
    return _ABUSER_PRESENT.search(for_matching(text)) is not None
