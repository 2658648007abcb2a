"""Recognising the clear questions people ask (issue 14, "What they ask"), without the model.

Someone who asks "is this conversation recorded?" or "can I check my new boyfriend's past?" has
told us exactly what they need; the classifier, trained on short examples, often hears a topic
or nothing at all in a longer, worried question and answers something else. These patterns
name the question only where the words settle it, so the answer is the one asked for.

Two strengths:
- specific questions (what this chat stores, Clare's Law, protection orders, proving abuse,
  immigration, social services and the children, refuges and housing, how to leave) name a
  need so plainly that they replace whatever the classifier said, even a topic of abuse: the
  person asked, and the answer for that question is what helps;
- general ones ("is it still illegal?", "do I have to go to the police?", how would I live
  without money) only replace an intent that carries no topic (fallback, out of scope and
  the like), because "is it illegal for him to control me" is better answered by explaining
  coercive control.

Never here: a message with a danger word or about self-harm (the safety backstops decide),
someone describing their own harmful behaviour, or a recent sexual assault (its urgent reply
comes first; actions/plan_reply.py answers a police question after one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.safety.danger import signals_danger
from bot.safety.self_harm import signals_self_harm
from bot.understanding.images import ABOUT_OWN_IMAGES

# A message asks something: a question mark, or it opens as a question does.
_QUESTION = re.compile(
    r"\?|^\W*(how|what|whats|what's|wat|wot|who|where|when|why|which|can|could|do|does|did|is|are|"
    r"am|will|would|should|shall|if|shud|shld|shd|cn|cud|cld|wud|wld|wil|wats|wots)\b|"
    r"\b(how (do|does|did|can|could|would|should|will) |"
    r"what (do|should|would|if|happens|can)\b|i (want|need) to know|wondering)",
    re.IGNORECASE)

_US = (r"(on here|in here|this (chat|conversation|site|website|bot|service|page|app|thing)|"
       r"what i (type|write|say|send|tell you))")
_STORED = r"(saved?|saving|stored?|storing|recorded?|recording|logged|logging|kept|keeps?|keeping|track(ed|ing)?)"

_CHILDREN = r"(the|my|our|both|all|his|her)?\s?(kids|children|child|baby|son|daughter|boys|girls)"
_TAKEN_ABROAD = re.compile(
    r"^(?!.*\b(cut|cutting|fgm|circumcis\w*|sunna|marr\w*|wedding|engaged|husband for|wife for)\b)"
    # the person speaking taking them ("can he stop me taking the kids abroad?") is another question
    r"(?!.*\b(i|me|im|i'm|we|us)\s+((want|wanna|plan|planning|need|going|gonna|can|could|would|to|am|was|"
    r"be|allowed|like)\s+){0,3}(tak|took|send|sent|fly|flown|mov)\w*\s)"
    r".*"
    rf"\b(tak\w*|took|send\w*|sent|fly\w*|flown|mov\w*) {_CHILDREN}\b.{{0,80}}"
    r"(\b(abroad|overseas|out of the (country|uk))\b|"
    r"\b(not|never|won'?t|wont|isn'?t|isnt)\b.{0,20}\b(bring\w*|brought|com\w*|send\w*)\b.{0,12}\bback\b|"
    r"\bfor good\b|\bkeep (them|him|her) there\b|"
    # "he will take the kids back to pakistan and i will never see them"
    r"\b(back )?(to|home to) (?!(his|her|my|their|our|the|a|an|school|nursery|work|bed|court|stay|live|see)\b)"
    r"[a-z]+\b.{0,40}\b(never|not) (going to |gonna )?(see|get) (them|him|her|the (kids|children)|"
    r"my (kids|children|son|daughter))( again| back)?\b)", re.IGNORECASE)


def fears_children_taken_abroad(text: str) -> bool:
    """Whether someone fears the children will be taken abroad and kept there."""
    return _TAKEN_ABROAD.search(text or "") is not None


# "is this normal?", "am I overreacting?", "is it my fault?": asked of what was already told. The
# whole message is the question, so a description with it ("is it normal for him to force me")
# keeps its topic and its explanation.
_IS_IT_ABUSE = re.compile(
    r"^\W*((so|but|and|ok|okay|honestly|seriously|like)\W+)?(is|isnt|isn'?t|would|does|do you think)\s+"
    r"(this|that|it|all (this|that)|what (he|she|they) (does|did|do|is doing)|(his|her|their) behaviou?r)\s+"
    r"((count|counts) as |(be )?classed as |considered |really |actually |even |still |just |seem |sound )?"
    r"(normal|ok|okay|alright|abuse|abusive|domestic (abuse|violence)|controlling|coercive control|wrong"
    r"|acceptable|a big deal|that bad|serious|toxic|healthy)"
    r"(\s+(for|in) (him|her|them|a (relationship|marriage|partner|husband|wife|boyfriend|girlfriend))"
    r"( to (do|act|behave|be)( like)?( that| this)?)?)?\W*$"
    r"|^\W*((so|but|and|ok|okay|honestly|maybe)\W+)?(am i|i'?m|im|i am|maybe i'?m)\s+(just |being )?"
    r"(overreacting|over reacting|over-reacting|being (dramatic|silly|stupid|paranoid|too sensitive|oversensitive"
    r"|unreasonable)|making (a big deal|a fuss|too much|a drama) (of|out of|about) (it|this|nothing))\W*$"
    r"|^\W*(is|was|isnt|isn'?t) (it|this|that|all this) (all )?(my|me) fault\W*$", re.IGNORECASE)


# "i just want to know if its normal to feel this scared": the fear is the question
_FEAR_NORMAL = re.compile(r"\b(normal|ok|okay|silly|stupid|mad|crazy|overreacting) (to|that i) (feel|be|am|'?m)"
                          r" (this |so |that |really |very )?(scared|afraid|frightened|terrified|anxious|on edge"
                          r"|jumpy)\b", re.IGNORECASE)


def asks_if_abuse(text: str) -> bool:
    """Whether the whole message asks if what was told is abuse, normal, or their own fault, or
    whether their fear is normal."""
    return bool(_IS_IT_ABUSE.search((text or "").strip()) or _FEAR_NORMAL.search(text or ""))


# "can I text SignHealth?": a Deaf service asked for, answered with the services and emergencySMS
# and Relay UK (actions/find_services.py); "can i email them" stays a question about contacting safely
_WITHOUT_SPEAKING = re.compile(r"\b(can|could) i (text|sms|email|e-mail|message|video call) (signhealth|a deaf service"
                               r"|someone in bsl|a bsl)\b", re.IGNORECASE)
# "will galop judge me?", "will they even believe a man": whether they will be believed
_BELIEVED = re.compile(r"\b(will|would|do|does) (they|galop|the helpline|the men'?s advice line|the police|anyone|"
                       r"people)\b.{0,15}\b(judge|believe|laugh at|take (me|it) seriously|think i'?m)\b"
                       # (not "he says no one will believe me": the abuser's words, told)
                       r"|\b(people|they|everyone)( will| would|'ll)( just)? (laugh at|judge) (me|a man)\b"
                       r"|\b(will|do|would) (they|galop|the helpline|services)( actually| even| really)? (get"
                       r"|understand|know about|deal with) (trans|gay|lgbt\w*|bi|queer|men)\b",
                       re.IGNORECASE)


def asks_if_believed(text: str) -> bool:
    return bool(_BELIEVED.search(text or ""))


# "should i go hospital?", "do i need to get checked", "is the baby ok": after the pregnancy note,
# a question about being checked (actions/plan_reply.py).
_HOSPITAL_QUESTION = re.compile(
    r"\b(should|do|shall|must|need to|have to|can)\s+i\s+(go|get|be)\s+(to\s+)?(the\s+|a\s+)?(hospital|a ?& ?e"
    r"|a and e|checked|seen|maternity|doctors?|gp)\b|\bis (the |my )?baby (ok|okay|alright|all right|hurt)\b"
    r"|\b(didn'?t|did not|never) (go|get) (to )?(the |a )?(doctors?|gp|hospital|a ?& ?e|checked)\b.{0,40}\btoo late\b",
    re.IGNORECASE)


def asks_about_hospital(text: str) -> bool:
    return bool(_HOSPITAL_QUESTION.search(text or ""))


# "is the helpline confidential?", "if i ring the helpline will they contact my husband or the
# police": about the helpline, not about this chat.
_HELPLINE_CONFIDENTIAL = re.compile(
    r"\b(is|are)\s+(the\s+)?(helpline|they|it|that line|the line|that number|the number|calling them|the call)\b"
    r".{0,20}\b(confidential|private|anonymous|secret)\b"
    r"|\b(helpline|ring|call|called|calling|phone|phoned|rang)\b.{0,40}\b(they|them|helpline)\b.{0,15}\b(tell|contact"
    r"|call|ring|inform|let)\b.{0,20}\b(my\s+)?(husband|partner|boyfriend|wife|girlfriend|him|family)\b"
    # the helpline by name: "if i call the domestic abuse helpline will they tell anyone? like police"
    r"|\bhelpline\b.{0,40}\b(tell|contact|inform|report|pass)\b.{0,25}\b(anyone|anybody|police|social services)\b",
    re.IGNORECASE)


def asks_if_helpline_confidential(text: str) -> bool:
    return bool(_HELPLINE_CONFIDENTIAL.search(text or ""))


# "what is the silent solution", "wat is da silent solushun thing", "what does pressing 55 do"
_SILENT_SOLUTION = re.compile(
    r"\b(what|wat|wot|how|explain|tell me)\b.{0,25}\b(silent|silence|silant)\s*(solution|solushun|soloution"
    r"|sollution|solution thing)|\b(what|wat|how)\b.{0,20}\b(press(ing)?|dial(ling)?) 55\b",
    re.IGNORECASE)


def asks_about_silent_solution(text: str) -> bool:
    return bool(_SILENT_SOLUTION.search(text or ""))


# A professional asking about the risk checklist or the MARAC: "whats the DASH?", "can I refer to
# MARAC without her consent?"
_DASH_OR_MARAC = re.compile(r"\b(dash|marac|maracs|dash ric|ric checklist)\b", re.IGNORECASE)


def asks_about_dash_or_marac(text: str) -> bool:
    return bool(_DASH_OR_MARAC.search(text or ""))


# "should i go in there and stop him": someone thinking of stepping in (actions/plan_reply.py)
_STEP_IN = re.compile(r"\b(should|shall|can|do|must) i (go|get|step|run|barge|break) (in|in there|round|over|"
                      r"between|involved|down)\b|\b(should|shall) i (try to )?(stop|fight|confront) (him|her|them)\b",
                      re.IGNORECASE)


def thinks_of_stepping_in(text: str) -> bool:
    return bool(_STEP_IN.search(text or ""))


# After a recent assault: "can i still get tested if i shower?" (the recent-assault note again)
_AFTER_ASSAULT_QUESTION = re.compile(
    r"\b(get|be|still get) (tested|checked|seen)\b|\b(if|after) i (shower|showered|wash|washed|change|changed)\b"
    r"|\b(morning after pill|emergency contraception|pep|hiv (test|medicine|medication))\b", re.IGNORECASE)


# "what is a refuge", "how do i get into a refuge", "can i go to a refuge"
_REFUGE = re.compile(r"\b(what|wat|wot)('?s| is| are)( a| an)? refuges?\b"
                     r"|\bhow (do|does|would|can) (i|we|you|refuges?|a refuge)\b.{0,25}\brefuges?\b"
                     r"|\b(can|could|do|would) (i|we|my kids and i|me and my kids) (go|get|stay) (in|into|to|at)"
                     r" (a )?refuge\b|\brefuge (space|place|room)\b", re.IGNORECASE)


def asks_about_refuge(text: str) -> bool:
    return bool(_REFUGE.search(text or ""))


# (intent, pattern, question form required). Order matters: the first match names it.
_SPECIFIC: Sequence[tuple[str, re.Pattern[str], bool]] = (
    # What this service keeps and who can read it.
    ("ask_privacy", re.compile(
        r"\b(you|u|ya|this) (going to|gonna|will|would|have to|must) (report|tell|pass)\b|"
        r"\b(do|does|will|would|are|is|can)\s+(you|u|ya|ye|this|anyone|anybody|someone)\b.{0,25}?"
        r"\b(keep|keeps|keeping|store|storing|save|saving|record|recording|log|logging|share|sharing)\b"
        r".{0,30}\b(my|our|this|what|texts?|messages?|chats?|numbers?|conversation|details)\b|"
        rf"\b{_US}\b.{{0,40}}\b{_STORED}\b|\b{_STORED}\b.{{0,40}}\b{_US}\b|"
        r"\b(who|anyone|anybody|someone|people)\b.{0,25}\b(see|read|access|look at)\b.{0,30}"
        rf"\b{_US}|"
        r"\b(is|are) (this|it|these|the chat|our chat|this chat|this conversation)\b.{0,15}\b(private|anonymous|"
        r"confidential|secure|safe to use|traceable)\b|"
        r"\bcan (he|she|they|anyone|anybody|someone|my (partner|husband|wife|boyfriend|girlfriend|bf|gf|ex))\b"
        r".{0,20}\b(see|read|find|know|track)\b.{0,30}\b(this|what i (write|type|say)|here|these messages|"
        r"i('?m| am) (on|using) (this|here))\b|"
        r"\b(who|anyone|anybody) (can|could|will|would) (see|read)\b.{0,15}\b(these|my|this|what)\b|"
        r"\b(does|will|do|would) (this|it|you|u)\b.{0,15}\b(get )?(report|reported|passed on|sent)\b"
        r".{0,20}\b(police|social services|anyone)\b", re.IGNORECASE), True),
    # "is this normal?" after telling what happens: answered about what they told
    # (actions/plan_reply.py), never read as a new kind of abuse or as "no".
    ("find_support", _IS_IT_ABUSE, False),
    ("find_support", _FEAR_NORMAL, False),
    ("find_support", _WITHOUT_SPEAKING, True),
    ("find_support", _BELIEVED, False),
    ("find_support", _AFTER_ASSAULT_QUESTION, True),
    ("ask_housing", _REFUGE, False),
    # "what happens if I say no?": about what was told (a marriage, a demand), not a new kind of
    # abuse in the words "say no" (it was read as sexual violence after a forced marriage).
    ("find_support", re.compile(
        r"^\W*(but |so |and )?(what|wat|wot)\s+(happens|will happen|would happen|can they do|will they do"
        r"|could happen)\s+(to me\s+)?if\s+i\s+(say no|said no|refuse|refused|don'?t (do it|go|agree|marry)"
        r"|won'?t (do it|go|agree|marry))\b.{0,30}$", re.IGNORECASE), True),
    # "how do i get them taken down", "will i get in trouble for sending them": about pictures
    # already told of (actions/plan_reply.py answers a young person with Report Remove and CEOP)
    ("find_support", ABOUT_OWN_IMAGES, False),
    ("ask_privacy", _HELPLINE_CONFIDENTIAL, False),
    ("ask_how_to_help", _DASH_OR_MARAC, True),
    ("ask_how_to_help", _STEP_IN, False),
    ("ask_number", _SILENT_SOLUTION, False),
    # "what's the number for refuge": the helpline (which Refuge runs), not the housing answer.
    ("ask_number", re.compile(
        r"\b(number|phone number|no\.?|num|contact details?) (for|of|to (call|ring|contact)) (a |the )?"
        r"(refuge|refuges|women'?s aid|the helpline|helpline|help|support|someone|somebody|domestic abuse)\b",
        re.IGNORECASE), False),
    # Clare's Law: asking about a partner's past, for oneself or for someone close.
    ("ask_law", re.compile(
        r"\bclare'?s law\b|\bdisclosure scheme\b|"
        r"\b(check|find out|know|ask|look up|look into|see)\b.{0,60}\b(boyfriend|girlfriend|bf|gf|fella|"
        r"partner|husband|wife|new (man|guy|woman|bloke)|date|ex|(i'?m|im) (seeing|dating|with))\b"
        r".{0,60}\b(record|history|past|criminal|"
        r"convictions?|been (violent|abusive)|violent|abusive|hit(ting)?|beat(en|ing)?)\b",
        re.IGNORECASE), True),
    # Proving what is happening.
    ("ask_evidence", re.compile(
        r"\b(prove|proof|evidence)\b|\bmy word against (his|hers|theirs|him|her)\b|\bscreenshot\w*|"
        r"\b(keep|keeping|write) (a )?(diary|log|record|notes)\b|"
        r"\b(save|saving|keep|keeping) (his|her|their|the) (messages|texts|voicemails|emails)\b|"
        r"\brecord (what|everything|the things) (he|she|they)\b", re.IGNORECASE), True),
    # Protection orders and what they cost.
    ("ask_law", re.compile(
        r"\bnon[- ]?mol(estation)?s?\b|\boccupation order|\binjunctions?\b|\brestraining order|"
        r"\bprotection (order|notice)|\bcourt order", re.IGNORECASE), True),
    # Money: debts run up in their name, paying, living on their own (a money question asked
    # after telling of economic abuse is not answered by its explanation again).
    ("ask_money", re.compile(
        r"\b(have to|got to|need to|out of|stop|avoid|still) pay(ing)?\b.{0,30}\b(debts?|loans?|back|"
        r"credit cards?|bills?|arrears|them|it|that)\b|"
        r"\b(debts?|loans?|credit cards?|arrears)\b.{0,40}\b(in my name|my responsibility|wiped|written off|"
        r"cleared|cancelled)\b|"
        r"\bhow (will|would|could|can|do) i (ever )?(afford|live on|manage for money|support myself)\b|"
        r"\b(can|could|would|will) i (get|claim) (any )?(money|benefits|universal credit|help with (money|"
        r"rent|bills))\b", re.IGNORECASE), True),
    # Immigration status (a deportation threat told, not asked: actions/plan_reply.py).
    ("ask_immigration", re.compile(
        r"\b(visas?|nrpf|no recourse|immigration|leave to remain|settled status|home office)\b",
        re.IGNORECASE), True),
    # The children taken abroad and not brought back (told, not only asked); never when cutting
    # or a marriage is named, which are FGM and forced marriage.
    ("ask_children", _TAKEN_ABROAD, False),
    # The children: social services, custody, having them taken.
    ("ask_children", re.compile(
        r"\b(social services|social workers?|children'?s services|custody)\b|"
        r"\btake (my|the|our) (kids|children|child|baby|son|daughter|boys|girls)\b|"
        r"\b(see|have|get|keep|lose|visit) (the|my|our) (kids|children|child|baby|son|daughter)\b|"
        r"\b(kids|children|child|baby|son|daughter) (be |being |get |got )?taken (away|off me|into care)\b|"
        r"\bwhat (happens|will happen|would happen) to (my|the|our) (kids|children|child|baby|son|daughter)\b|"
        r"\b(kids'?|children'?s|child'?s) school\b|\btaking (the|my|our) (kids|children|child|baby) "
        r"(abroad|out of the country|away|on holiday)\b|"
        r"\bcontact (arrangements|centre|with (the|my) (kids|children))\b",
        re.IGNORECASE), True),
    # Refuges and somewhere to live.
    ("ask_housing", re.compile(
        r"\brefuges?\b|\bhomeless\b|\btenancy\b|\bcouncil (flat|house|home)\b|"
        r"\b(where|somewhere) (to|can i|would i|will i|do i) (live|stay|sleep)\b|"
        r"\b(kick|throw|chuck|force) me out\b|\b(get|have) (him|her|them) (removed|out of (the|my|our) "
        r"(house|flat|home))\b|"
        r"\b(flat|house|tenancy|mortgage|lease|home)\b.{0,25}\bin (his|her|their) name\b|"
        r"\b(somewhere|place|anywhere) (safe )?to (stay|go|sleep)\b.{0,15}\b(tonight|now|today)\b",
        re.IGNORECASE), True),
    # How to leave, and what to take.
    ("ask_leaving", re.compile(
        r"\bhow (do|did|can|could|would|should) (i|people|you|someone|others|women|men|anyone) "
        r"(actually |even |really |safely |ever )?(leave(?! (a|an|the|my|some) (\w+ )?(review|comment|message|note|"
        r"feedback|voicemail|tip))|get out|escape|do it|do that|manage it)\b|"
        r"\b(what|wat|wot|whats|what's)\b.{0,20}\b(take|pack|grab|bring)\b.{0,25}\b(leave|leaving|go|going|run)\b|"
        r"\bwhat (do|should|would|will) i (need to |have to )?(take|pack|grab|bring)\b"
        r"(?!.{0,25}\b(court|police|station|appointment|solicitor|hearing|doctor|gp)\b)|"
        r"\bsafety plan|\bplan (to leave|my escape|leaving)\b", re.IGNORECASE), True),
)

_STOP_IT = re.compile(
    r"\bif i (say no|said no|refuse|refused)\b|"
    r"\b(stop|prevent|get out of|call off|cancel|avoid|escape|refuse)( \w+)? (it|this|that|"
    r"the (wedding|marriage|engagement|trip)|them|getting married|marry(ing)? (him|her|them))\b", re.IGNORECASE)


def asks_to_stop_it(text: str) -> bool:
    """Whether someone asks how to stop what they told ("can I stop it without getting them
    in trouble?"): after a forced marriage was told, the answer is the ways to stop it."""
    return is_question(text) and _STOP_IT.search(text or "") is not None


_GENERAL: Sequence[tuple[str, re.Pattern[str]]] = (
    ("ask_law", re.compile(
        r"\bis (it|this|that) (still |even |actually |really )?(illegal|legal|a crime|against the law|"
        r"allowed)\b|\b(illegal|a crime|against the law|an offence)\W*$", re.IGNORECASE)),
    ("ask_money", re.compile(
        r"\b(money|benefits?|universal credit|afford|debts?|bank account)\b", re.IGNORECASE)),
    # "can I stop it?", "how do I get out of it": what they can do about what they told.
    ("find_support", _STOP_IT),
)

# General questions answered even when the classifier leans to a kind of abuse: "can I stop it?"
# is asked about what was already told, which its explanation (given then) does not answer.
_OVER_A_LEANING = frozenset({"find_support"})

# Kinds of abuse: when the classifier leans to one, "is it illegal for him to..." is about it.
_TOPICS = frozenset({
    "coercive_control", "physical_abuse", "sexual_violence", "economic_abuse", "tech_abuse",
    "harassment", "stalking", "fgm", "forced_marriage", "honour_based_abuse",
    "trafficking_exploitation",
})

# Intents that say nothing about a topic: a general question may replace them.
_NO_TOPIC = frozenset({None, "nlu_fallback", "out_of_scope", "affirm", "deny", "greet", "thank",
                       "goodbye", "find_support", "bot_challenge", "inform_location"})

# "do I have to go to the police", "will they make me report it": asking whether police must be told.
_POLICE_QUESTION = re.compile(
    r"\b(have to|got to|need to|must|make me|without)\b.{0,30}\b(police|report|court)|"
    r"\b(police|report)\b.{0,40}\b(have to|need to|must|involved|find out|told)\b|"
    r"\b(tell|call|ring|phone|inform|contact|get)\s+(the\s+)?(police|cops)\b", re.IGNORECASE)

# "I don't want to go to the police": the worry is the question, asked or not.
_POLICE_RELUCTANCE = re.compile(
    r"\b(don'?t|dont|do not|not|never|can'?t|cant|cannot|won'?t|wont|scared to|afraid to)\s+(really\s+)?"
    r"(want to\s+|wanna\s+|going to\s+|gonna\s+)?(go(ing)?\s+to|tell(ing)?|call(ing)?|ring(ing)?|involve|involving"
    r"|report(ing)?(\s+(it|him|her|them|this))?(\s+to)?|get)\s+(the\s+)?(police|cops|feds|old bill)\b"
    r"|\b(don'?t|dont|do not)\s+want\s+(the\s+)?(police|cops)\b", re.IGNORECASE)


def reluctant_about_police(text: str) -> bool:
    """Whether someone says they don't want, or are scared, to involve the police."""
    return bool(_POLICE_RELUCTANCE.search(text or ""))

# "I don't want to go to hospital": after being strangled or a thought of suicide, what else
# they can do is the answer, not a question back.
_HOSPITAL_RELUCTANCE = re.compile(
    r"\b(don'?t|dont|do not|not|never|can'?t|cant|cannot|won'?t|wont|scared to|afraid to|rather not)\s+"
    r"(really\s+)?(want to\s+|wanna\s+|going to\s+|gonna\s+|be\s+)?(go(ing)?\s+(to|in|into)|see|call(ing)?|"
    r"ring(ing)?|phone|admitted to)\s+(the\s+|a\s+|an\s+|my\s+)?(hospital|a ?& ?e|a and e|doctors?|gp|ambulance)\b",
    re.IGNORECASE)


# "I don't want to get him in trouble": the fear of what help would do to them, asked or not.
_SHIELDS_THEM = re.compile(
    r"\b(don'?t|dont|do not|never|wouldn'?t|wouldnt)\s+(really\s+)?(want|wanna|mean)\s+(to\s+)?"
    r"((get|put|land|see)\s+)?(him|her|them|my (husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|son|daughter"
    r"|dad|mum|brother|sister))\s+(to\s+)?((get|go|going|be|being)\s+)?"
    r"(in(to)? trouble|arrested|locked up|to (jail|prison)|in (jail|prison)|deported|sacked|charged|a criminal"
    r"|criminal record|lose (his|her|their) (job|kids|children|visa))\b"
    r"|\b(don'?t|dont|do not)\s+want\s+to\s+(ruin|wreck|destroy)\s+(his|her|their)\s+(life|lives|career)\b",
    re.IGNORECASE)


def shields_them(text: str) -> bool:
    """Whether someone says they don't want the person harming them to get into trouble."""
    return bool(_SHIELDS_THEM.search(text or ""))


# "can you call the police for me": no one here can, and it must be said.
_CALL_FOR_ME = re.compile(
    r"\b(can|could|will|would|please|pls|plz)\s+(you|u|someone|somebody)\s+(please\s+)?(call|ring|phone|contact|get|send|text)"
    r"\s+(the\s+)?(police|999|cops|ambulance|an ambulance|help|someone)\b"
    r"|\b(call|ring|phone|get) (the )?(police|999|cops|an ambulance|help) for me\b", re.IGNORECASE)


def asks_us_to_call(text: str) -> bool:
    """Whether the person asks this chat to call the police or an ambulance for them."""
    return bool(_CALL_FOR_ME.search(text or ""))


def reluctant_about_hospital(text: str) -> bool:
    """Whether someone says they don't want, or are scared, to go to hospital or a doctor."""
    return bool(_HOSPITAL_RELUCTANCE.search(text or ""))


# "he says I'll be deported if I leave": the fear is the question, whatever the topic.
_DEPORTATION = re.compile(r"\b(deport(ed|ation)?|get me deported|removed from the country)\b", re.IGNORECASE)


def threatens_deportation(text: str) -> bool:
    """Whether someone is told they will be deported: the answer on immigration is what helps."""
    return bool(_DEPORTATION.search(text or ""))


def is_question(text: str) -> bool:
    """Whether the message asks something, so the patterns read it as a question, not a story."""
    return bool(_QUESTION.search(text or ""))


def asks_about_police(text: str) -> bool:
    """Whether someone asks if the police must be involved (answered after a recent assault)."""
    return (is_question(text) and bool(_POLICE_QUESTION.search(text or ""))) or reluctant_about_police(text)


def asked_question(text: str) -> tuple[str, bool] | None:
    """The ask_* intent a message plainly asks, and whether it is specific enough to replace a topic."""
    text = text or ""
    question = is_question(text)
    for name, pattern, needs_question in _SPECIFIC:
        if (question or not needs_question) and pattern.search(text):
            return name, True
    if question:
        for name, pattern in _GENERAL:
            if pattern.search(text):
                return name, False
        if _POLICE_QUESTION.search(text):
            return "ask_law", False
    if reluctant_about_police(text):
        return "ask_law", False
    if reluctant_about_hospital(text):
        return "find_support", False
    return None


def _leans_to_topic(ranking: Sequence[dict[str, Any]]) -> bool:
    """The classifier's first real guess is a kind of abuse: the explanation answers better."""
    for candidate in ranking:
        if candidate.get("name") in ("nlu_fallback", None):
            continue
        return candidate.get("name") in _TOPICS and float(candidate.get("confidence", 0)) >= 0.15
    return False


def question_intent(text: str, intent: str | None, speaker: str | None,
                    recent_assault: bool = False,
                    ranking: Sequence[dict[str, Any]] = ()) -> str | None:
    """The question's intent when it should replace the classifier's, else None.

    Danger words and self-harm always go to their own backstops, so a clear question replaces
    an `immediate_danger` only the model heard. Someone describing their own harmful
    behaviour and a recent sexual assault keep their own routes.
    """
    if intent == "quick_exit" or speaker == "own_behaviour" or recent_assault:
        return None
    if signals_danger(text) or signals_self_harm(text):
        return None
    asked = asked_question(text)
    if asked is None:
        return None
    name, specific = asked
    # Saying no to the police or to hospital is plain in the words: the classifier's guess
    # (a topic, or self-harm it alone heard in "i dont want to go to hospital") does not outrank it.
    # A longer message that also tells what happened ("he hits me but I don't want the police")
    # keeps its topic.
    refusal = reluctant_about_police(text) or reluctant_about_hospital(text)
    outranked = {"self_harm", "perpetrator_help"} | (_TOPICS if len(text.split()) <= 10 else set())
    if name == intent or not (specific or intent in _NO_TOPIC or intent == "immediate_danger"
                              or (refusal and intent in outranked)):
        return None
    if not specific and not refusal and name not in _OVER_A_LEANING and _leans_to_topic(ranking):
        return None
    return name
