"""Place names that are everyday words: "she keeps reading my messages" is not Reading, and
"the dog next door keeps barking" is not Barking.

The entity ruler (bot/spacy_pipeline.py) matches every place name it knows, wherever it stands.
For most names that is right, but a few are ordinary English, and a match sent a man whose
girlfriend reads his messages to "That sounds like it's outside London". These words count as
a place only when the message uses them as one: on their own ("Barking"), after words that
introduce a place ("I live in Reading", "near Harrow"), or before words that follow one
("Barking station", "Harrow council").
"""

from __future__ import annotations

import re

from services_directory.uk_places import EVERYDAY_WORDS

# London names that are also words or first names, beside the UK list's everyday words.
EVERYDAY_PLACE_WORDS = EVERYDAY_WORDS | frozenset({"poplar", "welling", "harrow", "whetstone", "chelsea"})

_BEFORE = re.compile(
    r"\b(in|near|from|at|to|around|round|outside|of|by|live|lives|living|moved|based|staying|"
    r"area|borough)\W*(\w+\W*)?$", re.IGNORECASE)
_AFTER = re.compile(
    r"^\W*(council|borough|area|station|town|high street|police|hospital|way|side|road|"
    r"postcode|in|near|,)", re.IGNORECASE)
_WORD = re.compile(r"[a-z']+", re.IGNORECASE)
_FILLERS = frozenset({"i", "im", "i'm", "am", "we", "we're", "its", "it's", "it", "is", "the", "please",
                      "pls", "thanks", "ok", "okay", "yes", "yeah", "just", "a", "hi"})


def used_as_place(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], a place name the ruler found, is used as a place."""
    name = text[start:end].strip().lower()
    if name not in EVERYDAY_PLACE_WORDS:
        return True
    rest = [w.lower() for w in _WORD.findall(text[:start] + " " + text[end:])]
    if all(word in _FILLERS for word in rest):
        return True  # the place on its own: "Barking", "it's reading"
    return bool(_BEFORE.search(text[:start]) or _AFTER.search(text[end:]))
