"""The kind of abuse told in another language, so the services that follow the short interpreter
answer fit it (Rape Crisis after "mon mari m'a violée", Karma Nirvana after "quieren obligarme
a casarme").

The reply stays the short English one (actions/plan_reply.py `answer_other_language`): this
only sets the `topic` entity, which the topic slot and the services read. A few unmistakable
words per kind and language (the Latin-script languages of bot/understanding/language.py most
spoken in London), matched only in a message already recognised as that language, so the
Spanish "para" never reads as the Turkish word for money. Never shown to anyone.

Messages in another script are keyed by the script (bot/understanding/language.py
`other_script`): Arabic script holds Arabic, Urdu and Farsi words, Devanagari Hindi. Those words
are stems matched anywhere in a word (Arabic joins "and" and "me" to the verb; Chinese has no
spaces), so each is long or distinctive enough not to sit inside an everyday word.
"""

from __future__ import annotations

import re
import unicodedata
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
# Stems in other scripts (see the module's note), most specific kind first as above.
_SCRIPT_WORDS: dict[str, dict[str, str]] = {
    "arabic": {"sexual_violence": r"اغتصب|عصمت دری|زیادتی|ریپ|تجاوز جنسی",
               "forced_marriage": r"زواج قسري|زواج بالقوة|على الزواج|يزوجوني|تزويجي"
                                  r"|زبردستی شادی|شادی کروا|شادی کرا|ازدواج اجباری",
               "physical_abuse": r"يضرب|ضربني|مارتا|مارتی|پیٹتا|مارپیٹ|کتک",
               "stalking": r"يلاحقني|يراقبني|پیچھا",
               "harassment": r"تحرش|ہراساں",
               "economic_abuse": r"فلوسي|أموالي|راتبي|پیسے|تنخواہ"},
    "bengali": {"sexual_violence": r"ধর্ষণ",
                "forced_marriage": r"জোর করে বিয়ে|বিয়ে দিতে|বিয়ে দেবে|বিয়ে দিবে",
                "physical_abuse": r"(?<!আ)মারে|মারধর|পেটায়|মারছে|মেরেছে",
                "stalking": r"পিছু",
                "economic_abuse": r"টাকা"},
    "gurmukhi": {"sexual_violence": r"ਬਲਾਤਕਾਰ",
                 "forced_marriage": r"ਜ਼ਬਰਦਸਤੀ ਵਿਆਹ|ਜਬਰਦਸਤੀ ਵਿਆਹ|ਵਿਆਹ ਕਰਵਾ",
                 "physical_abuse": r"ਮਾਰਦਾ|ਮਾਰਦੀ|ਕੁੱਟ",
                 "economic_abuse": r"ਪੈਸੇ"},
    "devanagari": {"sexual_violence": r"बलात्कार",
                   "forced_marriage": r"ज़बरदस्ती शादी|जबरदस्ती शादी|शादी करवा|शादी करा|जबरन विवाह",
                   "physical_abuse": r"मारता|मारती|पीटता|पिटाई|मारपीट",
                   "stalking": r"पीछा",
                   "economic_abuse": r"पैसे|पैसा"},
    "gujarati": {"sexual_violence": r"બળાત્કાર",
                 "forced_marriage": r"લગ્ન કરાવ",
                 "economic_abuse": r"પૈસા"},
    "cjk": {"sexual_violence": r"强奸|強姦|強奸|性侵",
            "forced_marriage": r"逼婚|强迫结婚|強迫結婚",
            "physical_abuse": r"打我|家暴|殴打|毆打",
            "stalking": r"跟踪|跟蹤",
            "harassment": r"骚扰|騷擾",
            "economic_abuse": r"工资|工資"},
    "cyrillic": {"sexual_violence": r"изнасил|зґвалт",
                 "forced_marriage": r"выдать замуж|выдают замуж|выйти замуж|насильно|видати заміж|примусов",
                 "physical_abuse": r"бь[её]т|избил|побил|б[ʼ']є|побив",
                 "stalking": r"преследует|следит за мной|переслідує|стежить",
                 "harassment": r"домогател|домагання",
                 "economic_abuse": r"деньги|денег|гроші|грошей|зарплат"},
}


def _normal(text: str) -> str:
    """One form for the words and the message: composed, no zero-width joiners (Farsi and the
    Indic scripts type them inside words, and the safety checks drop them too)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    words = {code: [(topic, re.compile(_normal(rf"(?<!\w)(?:{kinds[topic]})(?!\w)"), re.IGNORECASE))
                    for topic in _ORDER if topic in kinds]
             for code, kinds in _WORDS.items()}
    stems = {script: [(topic, re.compile(_normal(kinds[topic]), re.IGNORECASE))
                      for topic in _ORDER if topic in kinds]
             for script, kinds in _SCRIPT_WORDS.items()}
    return words | stems


def topic_in_language(text: str | None, language: str | None) -> str | None:
    """The kind of abuse a message in `language` tells, when its words say so plainly."""
    normal = _normal(text or "")
    for topic, pattern in _compiled().get(language or "", []):
        if pattern.search(normal):
            return topic
    return None
