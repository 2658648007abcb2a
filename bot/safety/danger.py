"""A deterministic danger check that does not depend on the trained model.

The classifier can miss a panicked, misspelt or emoji-only message; a missed emergency can cost
a life. These patterns are deliberately broad: a false alarm costs one extra emergency message,
a miss costs far more. They run inside the NLU pipeline (bot/nlu/danger_backstop.py) and in the
channels' one message pipeline, so the emergency reply goes out even when Rasa is slow or down.

Danger to life from oneself (suicide, an overdose) is not here: it gets a different first
reply (bot/safety/self_harm.py), because the Silent Solution is for danger from someone else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.safety.text import for_matching

# Emoji that on their own signal a weapon or violence in progress.
_DANGER_EMOJI = ("\U0001f52a", "\U0001f5e1", "\U0001f52b", "\U0001fa78", "\U0001f198")

# Common misspellings and text-speak, so one pattern covers "kill", "kil" and "kiil".
_KILL = r"(?:kill+|kil+|kiil|murd(?:er|a)|stab|shoot|burn)"
_WEAPON = r"(?:knife|knifes|knives|knive|nife|nive|knif|blade|machete|gun|shotgun|weapon|bat|hammer|axe)"
_WILL = (
    r"(?:going to|gonna|gna|gunna|will|wil|wl|'ll|ll|wants to|threaten\w* to|threatnd to|said he'?d"
    r"|said she'?d|sed he'?d|sed she'?d|says he'?ll|says she'?ll|sez he'?ll)"
)
# "going to kill herself" is suicide (bot/safety/self_harm.py), not a threat from someone else.
_NOT_SELF = r"(?!\s*(?:myself|my self|meself|herself|himself|themselves|themself|yourself))"
_HIT_ING = (
    r"(?:hitting|hittin|hitin|beating|beatin|punching|punchin|kicking|kickin|stabbing|attacking"
    r"|hurting|hurtin|strangling|chokin|choking|slapping|slappin|battering)"
)

_PATTERNS: tuple[str, ...] = (
    # weapons present or used to threaten
    rf"\b{_WEAPON}\b.{{0,40}}\b(here|now|got|has|holding|outside|door|coming|threat\w*|point\w*|pull\w*"
    rf"|waving|at me)\b",
    rf"\b(got|has|holding|with|pulled|grabbed|waving|keeps?|kept|keps|sleeps with)\b.{{0,25}}\b{_WEAPON}\b",
    # strangling, choking, suffocating now
    # (strangled or choked in the past is a high-risk sign, bot/safety/risk.py, not "now")
    r"\b(strangling|choking|chokin|suffocating|smothering|throttling)\b.{0,25}\b(me|her|him|them|my|now)\b",
    r"\b(trying to|going to|gonna) (strangle|choke|suffocate|smother)\b|\bjust (strangled|choked)\b",
    r"\bhands? (a)?round (my|her|his) (neck|throat)\b(?!.{0,40}\b(ago|last|before|once|used to)\b)",
    r"\bcan'?t breathe\b",
    # threats to kill, fear of death
    rf"\b{_WILL}\s*{_KILL}\b{_NOT_SELF}",
    rf"\b{_KILL}\w*\s+(me|us|her|him|them|my|the kids|the baby)\b",
    rf"\bscared (he|she|they)('?ll| will| is going to| gonna) {_KILL}\b",
    r"\bi('?m| am) (going to|gonna) die\b",
    # the abuser is present or arriving
    r"\b(he|she|they)('?s| is| are) (here|outside|at the door|coming( back)?|on (his|her|their) way|"
    r"back|breaking in|trying to (get|break) in|kicking (the )?door|banging on the door)\b",
    r"\b(hes|shes|theyre) (here|outside|coming|back|on (his|her|their) way)\b",
    r"\b(he|she|they|hes|shes)('?s| is| are)? (home|walking in|coming in|coming up|pulling up|parked outside)\b",
    r"\b(just|has just|have just) (turned up|showed up|pulled up|got in|arrived)\b",
    r"\b(he'?s|hes|she'?s|shes|they'?re|theyre|he is|she is|they are) still (here|in the (flat|house|room|home"
    r"|kitchen|bedroom)|outside|downstairs|upstairs|at the door)\b",
    r"\bit'?s (him|her)\b.{0,15}\b(go|run|hide)\b",
    r"\b(breaking|kicking|smashing) (the |my )?(door|window)s?\b",
    r"\btrying to break in\b",
    # just hurt, bleeding, pinned down: the assault has only just happened or is going on
    r"\bjust (hit|punched|kicked|slapped|attacked|stabbed|beat|battered|hurt|raped|assaulted|headbutted"
    r"|pushed|thrown|threw) (me|her|us|my \w+)\b(?!.{0,25}\b(once|one time|a few times|before|years?|"
    r"months?|weeks?|when|if|never)\b)",
    r"\b(i'?m|i am|im) (bleeding|covered in blood)\b|\b(pinned|holding) me down\b(?!.{0,30}\b(ago|last|"
    r"when|used to|once)\b)",
    r"\b(i'?m|i am|im) in danger\b|\bnot safe (right )?now\b|\b(scared|afraid|fear(ing)?) for my life\b",
    # someone waiting or raging where the person is
    r"\b(he'?s|hes|she'?s|shes|he is|she is|they'?re|theyre|they are|is) (at|outside|waiting (at|outside|by)"
    r"|standing (at|outside)|parked (at|outside)) (my|the|our) (front )?(door|window|work|workplace|office|"
    r"school|house|flat|home|car)\b",
    r"\b(coming|walking|running) up the stairs\b|\blocked myself in\b",
    r"\b(he'?s|hes|she'?s|shes|he is|she is|they'?ve|he has|she has) (broken|broke|smashed|kicked) (the |my |our )?"
    r"(door|window)s?( down| in)?\b",
    r"\b(he'?s|hes|she'?s|shes|he is|she is) (smashing|trashing|wrecking|destroying|breaking) (the place|the house|"
    r"the flat|everything|things|my stuff|my things)\b",
    r"\b(drunk|high|off (his|her) head)\b.{0,12}\b(raging|going mental|kicking off|losing it|lost it)\b",
    r"\b(following|chasing|watching) me\b.{0,12}\b(right now|rn|now)\b",
    # a child in danger now
    r"\b(kids|children|baby|son|daughter)\b.{0,25}\bin the car\b.{0,30}\b(drunk|high|off (his|her) head)\b"
    r"|\b(drunk|high|off (his|her) head)\b.{0,40}\b(kids|children|baby)\b.{0,20}\bin the car\b",
    r"\bthreaten\w* to (jump|drive|crash)\b.{0,30}\bwith (the|my|our) (baby|kids|children|son|daughter)\b",
    rf"\b{_WILL}\s*(finish|end|do) (me|us|her)( off| in)?\b",
    # fire
    r"\bset (the |my |our |this )?(flat|house|home|room|car|me|us) on fire\b|\b(got|has|with|poured) (the )?petrol\b",
    # trapped, hiding
    r"\b(locked|trapped|shut) (me )?(in|inside)\b",
    r"\b(locked|trapped) (in|inside)\b|\bcan'?t get out\b|\bwon'?t let me (out|leave)\b",
    r"\bhiding (in|from)\b|\b(i'?m|im|i am) (hiding|in hiding)\b",
    r"\bwon'?t let me go\b(?!\s+(to|out|anywhere|on|for|with|and|see|back|home|alone|near))",
    # held, sold or hunted: exploitation happening now
    r"\b(they|he|she|the men|the man|them)\b.{0,40}\b(coming back|be back (soon|any minute|tonight|in a bit|later))\b",
    r"\b(they'?re|they are|theyre|he'?s|hes|he is|she'?s|she is|people are|men are)\s+(looking|searching|hunting)"
    r"\s+for me\b",
    r"\b(men|man|he|hes|he'?s|they|someone|somebody|my ex|people|him|them)\b.{0,25}(\b(outside|downstairs|at the door)"
    r"\b.{0,20}\bwaiting for me\b|\bwaiting for me\b.{0,20}\b(outside|downstairs)\b)",
    r"\b(forcing|making|taking) me (to )?(sleep with|have sex with|go with|meet)\b.{0,30}\b(tonight|now|today|later)\b",
    r"\b(going to|gonna|will|wants to|want to) sell me\b|\bselling me\b",
    # violence happening now
    rf"(?<!\bwas )(?<!\bwere )\b{_HIT_ING} (me|her|him|us|them|my \w+)\b.{{0,25}}\b(now|right now|rn|again"
    rf"|won'?t stop|wont stop|not stopping)\b",
    rf"\b(is|are|he'?s|she'?s|hes|shes) {_HIT_ING}\b",
    r"\bright now\b.{0,30}\b(hurt|hit|beat|attack|kill)\w*",
    r"\b(beat|beaten|beating|attack\w*|hit|hitting|hurt\w*|stabb?\w*|strangl\w*|chok\w*|rap(e|ed|ing))\b"
    r".{0,30}\b(right now|rn|as we speak)\b",
    # too close to speak: "i cant talk he will hear me"
    r"\b(he|she|they)('?ll| will| might| could| would| can)? (hear|is listening to|'?s listening to) (me|us)\b"
    r"(?! (cry|crying|say|talk about|on the phone to my))",
    # sounds of violence heard now: "theres screaming next door right now and things smashing"
    r"\b(screaming|screams|smashing|crashing|banging|thuds?|crying for help|shouting for help)\b.{0,40}"
    r"\b(right now|rn|as we speak)\b",
    r"\b(right now|rn|as we speak)\b.{0,25}\b(screaming|screams|smashing|crashing|thuds?|crying for help"
    r"|shouting for help)\b",
    # help now
    r"\b(help|hlp|halp)\s+(me\s+)?(now|asap|quick|quickly|urgently|urgent|plz|pls|please)\b",
    r"\b(help|hlp|halp)\b.{0,10}\b(now|asap|quick|please|pls|plz|me)\b.{0,15}\b(now|asap|quick)\b",
    r"^\s*(help+|hlp|sos|please help|pls help|plz help|help me|help me please|help now)[\s!.]*$",
    # police / emergency requests in progress
    r"\b(call|ring|get|send) (the )?(police|999|ambulance|feds)\b",
    # (not "emergency money", "emergency contraception", "emergency housing": needs, not danger)
    r"\bemergency\b(?!\s+(money|funds?|cash|payments?|loans?|grants?|housing|accommodation|"
    r"contraception|pill|appointment|repairs?|prescription|dentist))",
    # a few words of danger in the languages most often spoken in London after English
    r"\b(ayuda|socorro|au secours|pomocy|ajutor|imdat)\b",
    r"\bme (est[aá]|esta) (golpeando|pegando|matando)\b|\bme va a matar\b|\bcuchillo\b",
    r"\b(il|elle) (me frappe|va me tuer)\b|\bcouteau\b",
    r"\bbije mnie\b|\bzabije mnie\b|\bn[oó]ż\b",
    r"\b(est[aá] me batendo|vai me matar)\b|\bfaca\b",
    r"\bm[aă] (bate|omoar[aă])\b|\bcu[tț]it\b",
    r"\bbeni (d[oö]v[uü]yor|[oö]ld[uü]recek)\b|\bb[iı][cç]ak\b",
    "\u064a\u0636\u0631\u0628\u0646\u064a|\u0633\u064a\u0642\u062a\u0644\u0646\u064a|\u0633\u0643\u064a\u0646|\u0633\u0627\u0639\u062f\u0646\u064a",
    # "will kill me" and "save me" in Urdu, Bengali, Hindi, Punjabi, Chinese, Russian, Ukrainian
    r"مار ڈالے|مار ڈالے گا|جان سے مار|بچاؤ|বাঁচাও|মেরে ফেলবে|मार डालेगा|मार देगा|बचाओ|ਬਚਾਓ",
    r"救命|杀了我|殺了我|要杀我|要殺我|убь[её]т меня|помогите|спасите|вб[ʼ']є мене|рятуйте|допоможіть",
)


@lru_cache(maxsize=1)
def _compiled() -> re.Pattern[str]:
    # composed as for_matching composes the message (Bengali and Devanagari letters with a dot)
    return re.compile(unicodedata.normalize("NFKC", "|".join(f"(?:{p})" for p in _PATTERNS)), re.IGNORECASE)


def normalise_for_matching(text: str) -> str:
    """Kept for callers of the old name: the shared normalisation of bot/safety/text.py."""
    return for_matching(text)


# Not wanting the police called is not asking for them: "should i go hospital? i dont want them
# to call police on him" (a pregnant woman after a kick) got only the emergency message.
_NOT_CALLING = re.compile(
    r"\b(don'?t|dont|do not|never|won'?t|wont|not|scared to|afraid to|rather not|without)\s+(want\s+|wanna\s+|"
    r"going to\s+|gonna\s+)?(to\s+)?((them|you|u|anyone|anybody|the hospital|the doctors?|the school|her|him|my \w+)\s+"
    r"(to\s+)?)?(call|calling|ring|ringing|phone|phoning|get|getting|involve|involving)\s+(the\s+)?(police|999"
    r"|cops|feds)\b")


def signals_danger(text: str | None) -> bool:
    """True when the message signals immediate danger from someone, whatever a classifier says."""
    if not text:
        return False
    if any(emoji in text for emoji in _DANGER_EMOJI):
        return True
    return _compiled().search(_NOT_CALLING.sub(" ", for_matching(text))) is not None
