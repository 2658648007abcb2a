"""Whether a message is written in another language than English.

The classifier was trained on English. Given "meu marido me bate" it still picks a topic (it
picked forced marriage) and the person gets a long English explanation of something they did
not say. A message plainly in another language is better answered short and plain: we only
read English, the helpline has interpreters, and 999 in danger.

How: a message counts as another language when, for one language, at least two of its words
are that language's common words (spaCy's stop-word lists, which ship with spaCy and load no
model) or everyday words about abuse and help, and those outnumber the English common words
in it. Short English texting ("wot do i do", "hes back gtg") has no such words; words that are
also English or English chat ("im", "ok", "hi", "man") never count for another language.
A message written mostly in another script (Arabic, Urdu, Bengali, Punjabi, Chinese, Russian)
is another language by its letters alone: `other_script` names the script, which stands for the
language (bot/understanding/other_language_topics.py reads a few of its words).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections import Counter
from functools import lru_cache

# Latin-script languages most spoken in London after English (ONS 2021 main languages).
LANGUAGES = ("pl", "ro", "es", "pt", "it", "fr", "lt", "tr", "sq", "hu", "sk", "cs", "de", "lv")

# Everyday words someone might use to say what is happening or ask for help, per language.
# Used only to recognise the language, never shown to anyone.
_ABUSE_WORDS: dict[str, tuple[str, ...]] = {
    "pl": ("mąż", "maz", "żona", "zona", "partner", "chłopak", "bije", "bił", "pobił", "pomocy",
           "pomoc", "boję", "boje", "policja", "dziecko", "dzieci", "zabije", "mówię", "mowie"),
    "ro": ("soțul", "sotul", "soția", "sotia", "iubitul", "bate", "bătut", "ajutor", "frică",
           "frica", "poliția", "politia", "copiii", "omoare", "vorbesc"),
    "es": ("marido", "esposo", "esposa", "pareja", "novio", "pega", "pegó", "golpea", "ayuda",
           "miedo", "policía", "policia", "hijos", "matar", "violó", "hablo", "inglés", "ingles"),
    "pt": ("marido", "esposa", "namorado", "companheiro", "bate", "bateu", "ajuda", "medo",
           "polícia", "filhos", "matar", "falo", "inglês"),
    "it": ("marito", "moglie", "fidanzato", "compagno", "picchia", "aiuto", "paura", "polizia",
           "figli", "uccidere", "parlo", "inglese"),
    "fr": ("mari", "femme", "copain", "conjoint", "frappe", "aide", "aidez", "peur", "enfants",
           "tuer", "parle", "anglais"),
    "lt": ("vyras", "žmona", "zmona", "muša", "musa", "pagalbos", "pagalba", "bijau", "policija",
           "vaikai", "kalbu"),
    "tr": ("kocam", "karım", "kocası", "sevgilim", "dövüyor", "dövdü", "yardım", "yardim",
           "korkuyorum", "polis", "çocuklar", "öldürecek", "konuşmuyorum"),
    "sq": ("burri", "gruaja", "rreh", "ndihmë", "ndihme", "frikë", "policia", "fëmijët"),
    "hu": ("férjem", "ferjem", "feleségem", "barátom", "megver", "segítség", "segitseg", "félek",
           "rendőrség"),
    "sk": ("manžel", "manzel", "manželka", "bije", "pomoc", "bojím", "polícia"),
    "cs": ("manžel", "manzel", "manželka", "bije", "pomoc", "bojím", "policie"),
    "de": ("mann", "frau", "freund", "schlägt", "hilfe", "angst", "polizei", "kinder", "spreche"),
    "lv": ("vīrs", "virs", "sieva", "sit", "palīdzība", "baidos", "policija"),
}
# Words in those lists that are also English, English chat, or London place words: never
# evidence of another language.
_ALSO_ENGLISH = frozenset({
    "im", "u", "ok", "hi", "man", "men", "die", "den", "a", "i", "o", "e", "es", "re", "ex", "ma",
    "pa", "da", "na", "ne", "no", "on", "in", "to", "so", "or", "be", "we", "me", "he", "she",
    "us", "am", "an", "as", "at", "by", "do", "go", "if", "is", "it", "my", "of", "up", "la",
    "le", "de", "di", "el", "al", "ha", "ah", "oh", "eh", "mi", "bit", "sit", "partner", "polis",
    "mann", "hand", "best", "will", "also", "was", "war", "has", "hat", "art", "bill", "ten",
    "sure", "face", "son", "fine", "car", "pare", "sale", "come", "dice", "arm", "age", "one",
    "ore", "ale", "aye", "mar", "tu", "te", "ta", "tak", "pan", "nu", "si", "se", "et", "en",
    "ever", "nine", "over", "under", "after", "she's", "kind", "bier",
})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


@lru_cache(maxsize=1)
def _vocabularies() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """English common words and each language's evidence words, loaded on first use."""
    english = frozenset(importlib.import_module("spacy.lang.en.stop_words").STOP_WORDS)
    others: dict[str, frozenset[str]] = {}
    for code in LANGUAGES:
        stop = importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS
        words = {word.lower() for word in (*stop, *_ABUSE_WORDS.get(code, ()))}
        others[code] = frozenset(words - english - _ALSO_ENGLISH)
    return english, others


def other_language(text: str | None) -> str | None:
    """The language code when the message is plainly in another Latin-script language."""
    words = [word.lower() for word in _WORD.findall(text or "")]
    if len(words) < 2:
        return None
    english, others = _vocabularies()
    english_hits = sum(word in english for word in words)
    best, best_hits = None, 0
    for code, vocabulary in others.items():
        hits = sum(word in vocabulary for word in words)
        if hits > best_hits:
            best, best_hits = code, hits
    if best_hits >= 2 and best_hits > english_hits:
        return best
    return None


def other_script(text: str | None) -> str | None:
    """The script ('arabic', 'bengali', 'cjk', 'cyrillic', from the Unicode letter names) of a
    message written mostly in a script other than Latin; None for Latin, emoji or too few letters."""
    if not text or text.isascii():
        return None  # most messages: no Unicode name lookups on the hot path
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    scripts = Counter(unicodedata.name(ch, "UNKNOWN").split(" ")[0].lower() for ch in letters)
    script, count = scripts.most_common(1)[0]
    # two Chinese characters are already a word ("救命"); elsewhere four letters are
    enough = 2 if script == "cjk" else 4
    if script in ("latin", "unknown") or len(letters) < enough or count / len(letters) <= 0.6:
        return None
    return script


def language_of(text: str | None) -> str | None:
    """The language (a code) or, for another script, the script of a message not in English."""
    return other_language(text) or other_script(text)


def warm() -> None:
    """Load the word lists before the first message (at model load, not import)."""
    _vocabularies()
