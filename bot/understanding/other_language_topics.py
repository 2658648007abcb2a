"""The kind of abuse told in another language, so the services that follow the short interpreter
answer fit it (Rape Crisis after "mon mari m'a violée", Karma Nirvana after "quieren obligarme
a casarme").

The reply stays the short English one (actions/plan_reply.py `answer_other_language`): this
only sets the `topic` entity, which the topic slot and the services read. A few unmistakable
words per kind and language (the Latin-script languages of bot/understanding/language.py most
spoken in London), matched only in a message already recognised as that language, so the
Spanish "para" never reads as the Turkish word for money. Never shown to anyone.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Most specific first: a message naming rape and money is answered for the rape.
_ORDER = ("sexual_violence", "forced_marriage", "physical_abuse", "stalking", "harassment", "economic_abuse")
_WORDS: dict[str, dict[str, str]] = {
    "pl": {"sexual_violence": r"zgwałcił\w*|zgwalcil\w*|gwałt\w*|gwalt\w*",
           "forced_marriage": r"ślub\w*|slub\w*|wyjść za mąż|wyjsc za maz|ożenić|ozenic",
           "physical_abuse": r"bije|bił|bil|biła|pobił\w*|pobil\w*|uderza\w*|uderzył\w*",
           "stalking": r"śledzi|sledzi|chodzi za mną|chodzi za mna",
           "economic_abuse": r"pieniądze|pieniadze|pieniędzy|pieniedzy|wypłat\w*|wyplat\w*"},
    "ro": {"sexual_violence": r"violat\w*",
           "forced_marriage": r"mărit\w*|marit\w*|căsători\w*|casatori\w*",
           "physical_abuse": r"bate|bătut\w*|batut\w*|lovește|loveste|lovit\w*",
           "stalking": r"urmărește|urmareste",
           "economic_abuse": r"banii|bani"},
    "es": {"sexual_violence": r"violó|violo|violación|violacion|violada|abusó de mí|abuso de mi",
           "forced_marriage": r"casarme|casar|boda|matrimonio forzado",
           "physical_abuse": r"pega|pegó|pego|golpea|golpeó|golpeo|maltrata",
           "stalking": r"me sigue|me persigue|me vigila",
           "economic_abuse": r"dinero|sueldo"},
    "pt": {"sexual_violence": r"estuprou|estupro|violou|violada|abusou de mim",
           "forced_marriage": r"casar|casamento forçado|casamento forcado",
           "physical_abuse": r"bate|bateu|espanca|espancou|agride|agrediu",
           "stalking": r"me segue|me persegue|me vigia",
           "economic_abuse": r"dinheiro|salário|salario"},
    "it": {"sexual_violence": r"violentat\w|stupr\w*",
           "forced_marriage": r"sposare|sposarmi|matrimonio forzato",
           "physical_abuse": r"picchia|picchiat\w|botte",
           "stalking": r"mi segue|mi perseguita",
           "economic_abuse": r"soldi|stipendio"},
    "fr": {"sexual_violence": r"violée|violee|violé|viole|viol",
           "forced_marriage": r"mariage forcé|mariage force|me marier|épouser|epouser",
           "physical_abuse": r"frappe|frappé|frappée|frappee|battue|cogne",
           "stalking": r"me suit|me surveille",
           "harassment": r"harcèle|harcele|harcèlement|harcelement",
           "economic_abuse": r"argent|salaire"},
    "tr": {"sexual_violence": r"tecavüz\w*|tecavuz\w*",
           "forced_marriage": r"evlendir\w*|zorla evlen\w*",
           "physical_abuse": r"dövüyor|dovuyor|dövdü|dovdu|vuruyor|dayak",
           "stalking": r"takip ediyor",
           "economic_abuse": r"paramı|parami|maaşımı|maasimi"},
}


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    return {code: [(topic, re.compile(rf"(?<!\w)(?:{kinds[topic]})(?!\w)", re.IGNORECASE))
                   for topic in _ORDER if topic in kinds]
            for code, kinds in _WORDS.items()}


def topic_in_language(text: str | None, language: str | None) -> str | None:
    """The kind of abuse a message in `language` tells, when its words say so plainly."""
    for topic, pattern in _compiled().get(language or "", []):
        if pattern.search(text or ""):
            return topic
    return None
