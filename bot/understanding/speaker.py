"""Who is speaking: the person affected, someone worried about another, or someone worried
about their own behaviour.

Believe first. Only a person who says they harm someone is answered as someone who abuses:
not because of their gender, their partner's pronoun, their sexuality, fighting back in
self-defence, or doubt ("am I the abuser?"). A relation word inside a description of one's own
abuse ("my daughter's father hits me") does not make the speaker a supporter, and "it's
actually me" turns a supporter back into the person affected.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from bot.safety.text import for_matching

Speaker = Literal["self", "other", "own_behaviour"]

_RELATIVE = (
    r"(?:friend|mate|best mate|bestie|bff|pal|sister|sis|brother|bro|mum|mom|mam|mother|dad|father|"
    r"daughter|son|cousin|aunt|auntie|aunty|uncle|niece|nephew|gran|granny|grandma|grandmother|nan|nana|"
    r"grandad|grandfather|granddaughter|grandson|colleague|coworker|co-worker|workmate|neighbour|neighbor|"
    r"flatmate|housemate|roommate|client|patient|pupil|student|service user|friend's|stepmum|stepdaughter|"
    r"stepson|step ?sister|sister in law|sister-in-law|daughter in law|daughter-in-law|goddaughter|teenager|child|kid)"
)
_HARM = (
    r"(?:hit|hits|hitting|hurt|hurts|hurting|push|pushed|pushing|shove|shoved|slap|slapped|punch|punched|"
    r"kick|kicked|grab|grabbed|strangle|strangled|choke|choked|threaten|threatened|scare|scared|frighten|"
    r"frightened|control|controlled|controlling|check|checked|track|tracked|follow|followed|belittle|"
    r"call (?:her|him|them) names|shout at|shouted at|shouting at|scream at|screamed at|screaming at|"
    r"yell at|yelled at|swear at|smash|smashed|threw|throw|read (?:her|his|their) messages|"
    r"won'?t let (?:her|him|them)|make (?:her|him|them)|made (?:her|him|them)|force|forced|rape|raped|"
    r"abuse|abused|bully|bullied|isolat\w*|stop (?:her|him|them) from|lose my temper with|losing my temper with)"
)
_VICTIM_OF_ME = (
    r"(?:her|him|them|my (?:wife|husband|partner|girlfriend|boyfriend|gf|bf|missus|ex|kids"
    r"|children|son|daughter|mum|dad|mother|father)|the kids|the children|my family)"
)

# Someone else acts and the speaker is in the sentence ("he wants to know where i've been"): enough
# to tip a first message, too weak to undo what an earlier message said ("she won't leave him.
# what can I do?" from a daughter is still about her mum).
_WEAK_SELF = (r"\b(he|she|they|him|her|them|partner|husband|wife|boyfriend|girlfriend|ex)\b.{0,60}"
              r"\b(i|i'?ve|i'?m|i'?d|im|ive|me|my)\b")
_SWITCH_TO_SELF = (
    r"\b(it'?s|its|it is|it was) (actually |really |about |honestly )?(me|about me|my situation)\b",
    r"\bthe (friend|mate|pal|bestie|person|girl|woman|guy|lad|bloke) (is|was|i mentioned is) (actually |really )?me\b"
    r"|\b(i'?m|i am) the (friend|mate)\b|\bthere (is|was|isn'?t|wasn'?t) (no|a) friend\b",
    r"\bnot (for )?(a|my) friend\b.{0,15}\b(me|mine|myself)\b|\b(for|about) myself\b",
)
_SELF_DEFENCE = (
    r"\b(hit|hitting|push|pushed|pushing|slap|slapped|shove|shoved|kick|kicked|scratch\w*|bit|bite|"
    r"punch\w*|shout\w*|scream\w*|yell\w*|fought|fight\w*) (him |her |them )?back\b",
    r"\bself[- ]?defen[cs]e\b|\bdefend(ing)? myself\b|\bprotect(ing)? myself\b",
    r"\bto get (him|her|them) off( of)?( me)?\b|\bto get (him|her|them) away from me\b"
    r"|\b(pushed|shoved|push|shove|pulled) (him|her|them|my \w+) (off|away)\b",
)
_OWN_BEHAVIOUR = (
    rf"\bi('ve| have| had)?( just| sometimes| often| keep| always| even| then"
    rf"| did)? {_HARM}\b.{{0,15}}\b{_VICTIM_OF_ME}\b",
    rf"\bi('m| am) (hitting|hurting|controlling|abusing|scaring|frightening|threatening|bullying) {_VICTIM_OF_ME}\b",
    r"\bi (lose|lost|can'?t control) my (temper|anger|rag)\b",
    # "i lost it once with my wife and slapped her"
    r"\bi (lost it|snapped|flipped|saw red|lashed out)\b[^.?!]{0,40}\band (slapped|hit|pushed|shoved|grabbed"
    r"|punched|kicked|choked|strangled|hurt) (her|him|them|my \w+)\b",
    # "he's never done anything to me, it's me": the speaker is the one causing harm
    r"\b(he|she|they)('?s| has| have| had)? (never|not|n'?t) (done|did) anything (to|against) me\b"
    r"|\bi'?m the (problem|one (doing|causing) (it|this|the harm))\b",
    r"\bi get (so |really |too |very )?(angry|violent|jealous|rough|aggressive)\b.{0,40}\b(her|him|them"
    r"|partner|wife|husband|girlfriend|boyfriend|kids)\b",
    r"\b(my|i have an?|i have) (anger|temper|jealousy|controlling behaviou?r|violent behaviou?r)( problem| issues?)?\b"
    r".{0,40}\b(stop|change|help|control|fix|course|programme|program)\b",
    r"\b(stop|change|help with) (my|being) (abusive|violent|controlling|anger|temper|behaviou?r|jealousy)\b",
    r"\bi('m| am) (being )?(abusive|violent|controlling) (to|towards|with) \b",
    r"\b(arrested|charged|on bail|convicted|cautioned) for (hitting|hurting|assaulting|attacking|abusing"
    r"|harassing|stalking)\b",
    r"\bperpetrator programme\b|\b(course|programme|program|group|help) for (men|women|people|someone) "
    r"who (hurt|abuse|hit|are abusive|are violent|are controlling)\b",
    r"\bi (keep |always |often |sometimes )?(check|checking|read|reading|track|tracking|go through|going through) "
    r"(my )?(partner|partners|wife|wifes|husband|husbands|girlfriend|girlfriends|boyfriend|boyfriends|her|his)('s)? "
    r"(phone|messages|texts|location|emails)\b",
    r"\bi (say|said|call|called|shout|scream) (horrible|nasty|cruel|awful|terrible|hurtful) (things|names)\b",
    r"\b(don'?t|dont|do not) want to (hurt|hit|scare|frighten) (her|him|them|my \w+) again\b|\bbefore i hurt\b",
    r"\b(kids|children|son|daughter|wife|husband|partner|girlfriend|boyfriend|she|he|they)('s| is| are)? "
    r"(frightened|scared|afraid|terrified) of me\b(?!.{0,25}\bbecause i (reported|told|left|called))",
    r"\bhelp (for|with) my (behaviou?r|anger|temper|jealousy|violence)\b",
    # (not "he says I'm the controlling one": being told so is doubt, not a confession)
    r"(?<!says )(?<!said )(?<!thinks )(?<!claims )(?<!tells me )(?<!told me )(?<!calls me )(?<!says that )"
    r"\b(i'?m|i am|im) (the|an?) (controlling|abusive|violent|toxic) (one|partner|person|husband|wife|boyfriend"
    r"|girlfriend)\b",
    r"\bsays? i'?m (controlling|abusive|violent|an abuser)\b.{0,30}\b(she|he|they)('?s| is| are) right\b",
    r"\bi (get so angry|lose it|smash things)\b.{0,40}\b(scares?|frightens?) (her|him|them)\b",
    r"\b(blokes|men|people|guys|women) like me (who|that)\b|\bi'?m the one (causing|doing) (the )?harm\b",
    r"\bi('ve| have)? (been|become|started being) (violent|abusive|controlling|aggressive) (to|towards|with)\b",
    r"\bi('ve| have)? (started|been) (hitting|hurting|pushing|slapping|forcing|pressuring|making) \b",
    r"\bstop (being jealous|being controlling|controlling (her|him|them|my)|checking (everything|her|his))\b",
    r"\bi make (her|him|them) (ask|beg|account|tell)\b",
    r"\b(non-?mol|injunction|restraining order|non molestation order) (against|on) me\b",
    r"\bi (used to |keep |still )?(lock|locked|locking) (her|him|them) in\b",
    r"\bi (keep |always )?(tracking|track|tracked|following|follow) (my ex|her|him|them)\b",
    r"\bi (think|worry|fear|know) i (might be|may be|am|'m) (an? )?(abuser|abusive|controlling|violent)\b"
    r"(?!.{0,40}\b(he|she|they) (hit|hits|hurt|hurts|push|pushes|control|controls)\b)",
)
_SELF = (
    rf"\b{_HARM}\w*\s+me\b",
    r"\b(to|at|on|against|with|about|towards) me\b(?! (and|or) (her|him|them))",
    r"\b(won'?t|doesn'?t|dont|don'?t|wont) let me\b|\b(makes?|made|making|forced|forcing|pressur\w*|"
    r"wants?|wanted|expects?|told|tell|telling) me\b(?! (an? |the )?(abuser|abusive|bad person|monster|violent"
    r"|horrible person|evil|toxic|controlling)\b)",
    r"\b(i'?m|i am|im|i feel|i felt) (being |so |really |very |always |constantly )?(abused|controlled"
    r"|scared|afraid|frightened|"
    r"terrified|trapped|watched|followed|stalked|hit|hurt|threatened|isolated|not allowed|made to|forced|pressured|"
    r"harassed|blackmailed)\b",
    r"\bmy (husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|fiance|fiancee|family|in-laws|in laws|carer)\b",
    # "my brother's wife hits him" is about the brother; "my dad hits me" is about me
    r"\bmy (parents|dad|mum|father|mother|brother|son|uncle|stepdad)\b(?!'?s\b)",
    r"\b(he|she|they)('?s| is| are| has| have)? (been )?(hit|hitting|hurt|hurting|control\w*|check\w*|track\w*|"
    r"follow\w*|call\w*|threaten\w*|push\w*|taken|took|keeps)\b.{0,20}\b(me|my)\b",
    r"\bam i (the )?(abuser|abusive|the problem|overreacting|crazy|being abused)\b",
    r"\b(says|said|tells me|told me|calls me|keeps saying) i'?m (the |an? )?(abuser|abusive|problem|crazy|"
    r"controlling|mad|psycho)\b",
    r"\b(i'?m|i am|im) (a|the) victim\b|\bhappening to me\b|\bit'?s (not|never) abuse\b",
    # what is being done to the speaker, said in the passive: "my dad says im going to be sent
    # back home to get married" is about her, not a worry about her dad
    r"\b(i'?m|i am|im|i will|i'?ll|i was) (going to be|gonna be|about to be|to be|being|getting|be) "
    r"(sent|taken|made|forced|married|pressured|kicked|thrown|locked|kept|married off)\b",
    r"\b(my|i) (phone|money|passport|wages|bank|account|kids|children)\b.{0,30}\b(he|she|they) \b",
    # a marriage planned for the speaker: "my family are planning for me to marry my cousin"
    r"\bme to (marry|get married|be married|wed)\b|\bmarry me off\b|\bmy (own )?(wedding|marriage|engagement)\b",
    r"\b(i|we) (live|lived) with (him|her|them)\b|\bi (left|want to leave|need to leave|can'?t leave)\b",
    # harmed beside a sibling: "shouts at me and my little brother"
    r"\bme and my (little |big |younger |older |baby |twin )?(brother|sister|siblings?|bro|sis)\b",
)
_OTHER = (
    # "i love my mum and dad" says how they feel about their family, not a worry about them
    rf"(?<!love )(?<!miss )\bmy (little |big |older |younger |baby |twin |eldest |youngest |elder )?{_RELATIVE}\b"
    r"(?!'s (husband|wife|partner|boyfriend|girlfriend|father|dad|mum|mother|ex)\b.{0,40}\bme\b)",
    rf"\b(a|my|our) {_RELATIVE} (told|tells|says|said|is|has|was|keeps)\b",
    # what is planned for someone else: "my parents are taking her to pakistan", "its HER wedding"
    r"\b(taking|take|took|sending|send|sent|forcing|force|marrying|marry) (her|him) (to|off|abroad|back|away"
    r"|into)\b|\b(it'?s|its|it is) (her|his) (wedding|marriage|engagement)\b",
    r"\b(for|about) (a|my) (friend|mate|sister|mum|daughter|colleague|neighbou?r|client|relative)\b",
    r"\basking for (a|my) (friend|mate)\b|\b(someone|somebody|a woman|a girl|a lady|a man|a person) i know\b",
    r"\b(help|support|protect) (her|him|them|my \w+)\b|\bworried about (her|him|them|my|a|someone)\b",
    r"\b(i'?m|i am|im) (a|her|his|their) (teacher|social worker|gp|doctor|nurse|midwife|health visitor|"
    r"support worker|manager|employer|youth worker|key worker|caseworker|carer|councillor|police officer)\b",
    r"\b(she|he|they) (told|tells|says|said) (me|us) (her|his|their|that)\b",
    r"\b(her|his|their) (husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|dad|father|mum|mother|family"
    r"|parents|carer)\b",
    r"\bnext door\b|\bthrough the wall\b",
    # "the flat upstairs", "the couple downstairs", "my upstairs neighbours"
    r"\b(the |my )?(flat|house|room|couple|family|woman|man|neighbours?) (upstairs|downstairs|above|below|opposite"
    r"|across the (road|street|hall|landing))\b|\b(upstairs|downstairs) (flat|neighbours?|couple)\b",
)

# Someone else is plainly the one harmed, and the speaker is not: "my brother's wife hits him",
# "a woman in my team has bruises", "asking for a friend. her boyfriend reads her messages".
_OTHER_PERSON = (
    rf"\bmy (best |older |younger |little |big |elder |new |closest |oldest )?{_RELATIVE}'?s "
    r"(husband|wife|partner|boyfriend|girlfriend|bf|gf|fella|fiance|fiancee|man|bloke|ex|new wife|"
    r"new husband|new partner|carer|family|in-laws|dad|father|mum|mother|stepdad)\b",
    r"\b(a|the|this|one|some) (woman|girl|lady|man|guy|bloke|lad|boy|person|kid|child|young person|family|"
    r"couple|mum|mother|teenager|student|pupil) (in|at|from|on|across|upstairs|downstairs|next door|"
    r"who (works|lives|comes)|i (work|live|know))\b",
    r"\basking for (a|my) (friend|mate|sister|brother|cousin|colleague)\b",
    r"\b(her|his|their) (husband|wife|partner|boyfriend|girlfriend|bf|gf|fella|ex|carer|dad|father|"
    r"stepdad|mum|mother|family|parents|son|daughter)\b.{0,40}\b(her|him|them|she|he|they)\b",
    rf"\bmy (best |older |younger |little |big |elder |closest )?{_RELATIVE}\b.{{0,80}}\b{_HARM}\w*"
    r"( (her|him|them)\b| about\b)",
)
# Harm done to the speaker in words the harm list does not hold, or the speaker naming themself
# as the partner: "she scratches and bites me", "I'm her husband and...".
_HURTS_ME = (r"\b(scratch\w*|bites?|biting|spits? at|spat at|throws? things at|threw things at|shouts? at|shouting at"
             r"|screams? at|screaming at|yells? at|yelling at|swears? at|swearing at) (me|me and my|us)\b"
             r"|\bi (was|got|have been|'?ve been|had been) (raped|sexually assaulted|assaulted|attacked|beaten"
             r"|hit|abused|strangled|choked|stalked|groomed|trafficked)\b"
             r"|\b(i'?m|im|i am) (her|his|their) (husband|wife|partner|boyfriend|girlfriend|fiance|fiancee)\b"
             # what is taken is the speaker's own, or the speaker's "no" is punished: "my daughter
             # takes my bank card", "my grandson gets nasty if I say no" (harmed, not a helper)
             r"|\b(takes?|took|taking|keeps?|kept|keeping|steals?|stole|stealing|spends?|spent|spending|uses?|used"
             r"|using|empties|emptied|emptying|cleared|clears) (all |most of )?my (money|pension|wages|benefits"
             r"|bank card|cards?|savings|bank account|account|passport|documents|keys|phone|car)\b"
             r"|\b(if|when|whenever|every time) i (say|said) no\b|\bif i (refuse|don'?t give (him|her|them))\b")
# The speaker is the one harmed or frightened: then a relation word does not settle anything.
_ME_HARMED = (
    rf"\b{_HARM}\w*\s+me\b",
    r"\b(to|at|on|against|towards) me\b|\b(won'?t|doesn'?t|dont|don'?t|wont) let me\b",
    r"\b(makes?|made|making|forced|forcing|pressur\w*) me\b",
    # "a guy i know had sex with me when i was drunk and i said no"
    r"\b(had sex|have sex|having sex|slept) with me\b|\bi (said|kept saying|told (him|her|them)) no\b"
    r"|\bi (didn'?t|did not|never) (want|consent|agree)\b",
    r"\b(send|sends|sending|sent|text|texts|texting|texted|message|messages|messaging|messaged|call|calls|"
    r"calling|ring|rings|ringing|follow|follows|following|watch|watches|watching|touch|touches|touching|"
    r"touched|grope|groped|groping|film|filmed|filming|blackmail\w*|stalk\w*) me\b",
    r"\b(i'?m|i am|im|i feel) (being |so |really |very )?(abused|controlled|scared|afraid|frightened|terrified|"
    r"trapped|watched|followed|stalked|threatened|harassed)\b",
)


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    groups = {"switch": _SWITCH_TO_SELF, "defence": _SELF_DEFENCE, "own": _OWN_BEHAVIOUR,
              "self": _SELF, "other": _OTHER,
              "other_person": _OTHER_PERSON, "me_harmed": _ME_HARMED,
              "weak_self": (_WEAK_SELF,)}
    return {name: re.compile("|".join(f"(?:{p})" for p in patterns)) for name, patterns in groups.items()}


_DOUBT = re.compile(r"\bam i (the |an? )?(abuser|abusive|the problem|the bad one|controlling|toxic|violent)\b|"
                    r"\b(says|said|tells me|told me) i'?m (the )?(abuser|abusive|the problem"
                    r"|(the )?(controlling|abusive|toxic) one)\b")


def doubts_self(text: str | None) -> bool:
    """"Am I the abuser?": doubt that abuse often plants, not a statement of harming anyone."""
    return _DOUBT.search(for_matching(text)) is not None


# "will he find out it was me", "it was me who reported it": a supporter afraid of being known
# as the one who told, not someone saying the abuse is happening to them.
_KNOWN_AS_TELLER = re.compile(
    r"\b(find out|found out|finds out|know|knows|knew|tell|realise|realize|guess|work out|worked out|think|thinks"
    r"|figure out|suspect|suspects|trace it back to me and know)( that)? it (was|is|'?s) me\b"
    r"|\bit (was|is|'?s) me (who|that) (reported|called|rang|phoned|told|grassed|contacted|applied|asked|made)\b")


# "he's never done anything to me, it's me": "it's me" owning the harm, not the person harmed
_OWNS_THE_HARM = re.compile(r"\b(never|not|n'?t) (done|did) anything (to|against) me\b|\bi'?m the (problem|one "
                            r"(doing|causing))\b|\bit'?s me (who|that) (is|does|causes|starts|hurts)\b")


def switches_to_self(text: str | None) -> bool:
    """"It's actually me": someone who asked for a friend says it is about them."""
    folded = _KNOWN_AS_TELLER.sub(" ", for_matching(text))
    return (bool(folded.strip()) and _compiled()["switch"].search(folded) is not None
            and _OWNS_THE_HARM.search(folded) is None)


def _count(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


# "she said she'd tell the police I attacked her": a threat of a false accusation, a common
# tactic of abuse, is said by the person harmed; it is not a confession.
_FALSELY_ACCUSED = re.compile(
    # a threat or a lie, not a report of what was said ("she says i hit her and she's right" is a
    # confession): "she'd say", "he will tell the police", "threatens to report", "lies that"
    r"\b(he|she|they|hes|shes|he'?ll|she'?ll|they'?ll|she'?d|he'?d|they'?d|wife|husband|partner|boyfriend|girlfriend"
    r"|ex)\b[^.?!]{0,20}\b(will|'ll|'d|would|going to|gonna|threaten\w*|lie|lies|lied|lying|pretend\w*|make out"
    r"|makes out|falsely|false)\b[^.?!]{0,25}\b(say|tell|report|claim|accuse|that)?\b[^.?!]{0,25}?"
    r"\bi('ve| have| had| was| am|'m)? (hit|hurt|attacked|abused|assaulted|pushed|beat|hitting|hurting|attacking"
    r"|abusing|the abuser|abusive|violent)\b")


# "its not me its her!!", "it hasnt happened to me, im her teacher": a correction, and firm.
_NOT_ME = re.compile(
    r"\b(it'?s|its|it is|this is|it was) not (about |happening to )?me\b|\bnot me[,!. ]+(it'?s|its|it is) (her|him|them"
    r"|my|the)\b|\b(it )?(hasn'?t|has not|didn'?t|did not|isn'?t|is not) happen(ed|ing)? to me\b"
    r"|\b(i'?m|im|i am) not the (victim|one (being|getting) (hurt|hit|abused))\b")
# "should i tell my mum": whom to tell, which says nothing about who is harmed.
_WHOM_TO_TELL = re.compile(r"\b(should|can|could|do|shall) i tell (my )?(mum|mom|mam|dad|parents?|family|teacher"
                           r"|someone|anyone|an adult|school|the police)\b")
def asks_whom_to_tell(text: str | None) -> bool:
    return _WHOM_TO_TELL.search(for_matching(text)) is not None


# "if i say anything my dad will go mad": what the family will do to the speaker.
_FAMILY_WILL = re.compile(r"\bmy (dad|mum|mom|parents|family|brother|uncle|husband|wife|partner)( will|'ll| would"
                          r"| is going to| are going to| gonna) (go mad|go crazy|kill me|hit me|kick me out|disown me"
                          r"|send me|make me|force me|beat me|hurt me|lock me)\b")
# "my best friend just texted me saying...": how the speaker heard, not something done to them.
_TOLD_BY_SOMEONE_CLOSE = re.compile(
    rf"\b(my|a|our) ([\w-]+ )?{_RELATIVE} (just |has |had |has just )?(texted|text|messaged|called|rang|phoned|told"
    r"|snapchatted|dmd|dm'?d|facetimed|whatsapped) (me|us)\b")


def speaker_of(text: str | None, *, weak: bool = True) -> Speaker | None:
    """Who the message says is speaking; None when the words do not say. `weak=False` ignores
    the weak sign of the speaker (someone else acts and "I" is in the sentence), for a reading
    that must not undo what an earlier message said."""
    folded = for_matching(text)
    if not folded:
        return None
    rules = _compiled()
    if _NOT_ME.search(folded):
        return "other"
    folded = _WHOM_TO_TELL.sub(" ", _TOLD_BY_SOMEONE_CLOSE.sub(" ", folded))
    if _FAMILY_WILL.search(folded):
        return "self"
    if switches_to_self(folded):
        return "self"
    defending = rules["defence"].search(folded) is not None or _FALSELY_ACCUSED.search(folded) is not None
    if not defending and rules["own"].search(folded):
        return "own_behaviour"
    strong_self = _count(rules["self"], folded)
    self_hits = strong_self + _count(rules["weak_self"], folded)
    other_hits = _count(rules["other"], folded)
    # "my mum's boyfriend hits me": the relation word describes the abuser, and "me" is harmed.
    if re.search(rf"\b{_HARM}\w*\s+me\b|\b(won'?t|doesn'?t|don'?t) let me\b|{_HURTS_ME}", folded):
        return "self"
    if rules["other_person"].search(folded) or _PROFESSIONAL.search(folded):
        # someone else is named (or told of at work), and either they or the speaker is harmed
        return "self" if rules["me_harmed"].search(folded) else "other"
    if other_hits and other_hits >= self_hits:
        return "other"
    if defending or strong_self or (weak and self_hits):
        return "self"
    return None


_PARENT = (r"(dad|daddy|father|step ?dad|stepfather|mum|mom|mummy|mother|step ?mum|stepmother"
           r"|(mum|mom|mother)'?s (boyfriend|partner|husband)|(dad|father)'?s (girlfriend|partner|wife))")
_MUMS_PARTNER = r"(mum|mom|mother|mums|moms|mothers)'?s? (boyfriend|bf|partner|husband|fella)"
_DADS_PARTNER = r"(dad|father|dads|fathers)'?s? (girlfriend|gf|partner|wife)"
_HARMING_A_PARENT = (r"(hits?|hitting|hurts?|hurting|beats?|beating|punch\w*|kicks?|kicking|slaps?"
                     r"|slapping|chok\w*|strangl\w*|shouts? at|shouting at|screams? at|threatens?|threatening"
                     r"|controls?|pushes|shoves?|attacks?|abuses?|bullies|is horrible to|is violent (to|towards))")
_PARENT_HARMED = re.compile(
    rf"\b{_PARENT}\b.{{0,40}}\b{_HARMING_A_PARENT}\s+(my |our )?{_PARENT}\b"
    # "my mums boyfriend hits her": a parent's partner harming "her" (or "him") is harming the parent
    rf"|\b{_MUMS_PARTNER}\b.{{0,40}}\b{_HARMING_A_PARENT}\s+her\b|\b{_DADS_PARTNER}\b.{{0,40}}\b{_HARMING_A_PARENT}\s+him\b")


_A_PARENT = re.compile(rf"\b(my|our) (new )?{_PARENT}\b")


def names_a_parent(text: str | None) -> bool:
    """Whether a parent, step-parent or a parent's partner is named ("my mum's boyfriend")."""
    return _A_PARENT.search(for_matching(text)) is not None


def sees_parent_harmed(text: str | None) -> bool:
    """A young person telling of one parent (or a parent's partner) harming the other: a child
    who sees or hears abuse at home is a victim in their own right, not a helper."""
    return _PARENT_HARMED.search(for_matching(text)) is not None


# Someone told of abuse at work: a GP, a teacher, a social worker. Their duties (their
# organisation's safeguarding procedure, a referral) are not a friend's.
_ROLES = (r"(teacher|teaching assistant|social worker|gp|doctor|nurse|midwife|health visitor|support worker"
          r"|youth worker|key worker|caseworker|case worker|police officer|housing officer|counsell?or"
          r"|therapist|pharmacist|paramedic|dentist|safeguarding lead|practitioner|solicitor|probation officer"
          r"|family support worker|outreach worker|school nurse|psychologist|professional)")
_PROFESSIONAL = re.compile(
    # "I'm a year 6 teacher", "I'm a practice nurse", "im the professional not the victim"
    rf"\b(i'?m|i am|im|i work as|as) (a|an|her|his|their|the|one of (her|his|their)) ([\w-]+ ){{0,2}}{_ROLES}s?\b"
    # "housing officer here", "GP here"
    rf"|\b{_ROLES} here\b"
    r"|\b(a|one of my|my|our) (patient|client|pupil|student|service user|tenant)s?\b.{0,30}"
    r"\b(told|tells|has told|said|says|disclosed|has disclosed|came in|comes in|turned up|has|keeps|is)\b"
    r"|\bi work (in|for) (housing|social care|adult social care|children'?s services|a school|a hospital"
    r"|a gp|a surgery|a pharmacy|the nhs|health|probation|the police|a housing association)\b")


def speaks_as_professional(texts: list[str]) -> bool:
    """Whether the person said they are told of abuse through their work, in any message."""
    return any(_PROFESSIONAL.search(for_matching(text)) for text in texts)
