"""One normalisation for every safety check, so a disguise that fools one fools none.

People in a hurry type in capitals, with curly quotes, zero-width characters pasted from other
apps, full-width letters, or (to dodge a filter) Cyrillic and Greek letters that look Latin.
Every check matches against `for_matching(text)`: Unicode NFKC, format characters (category
Cf: zero-width, bidi controls, soft hyphen) removed, letters mapped to their Latin look-alike
(Unicode TR39 confusables, from the maintained `confusable_homoglyphs` data), lower case, one
space between words.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
                         "`": "'", "\u00b4": "'"})


@lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """The ASCII letter a non-Latin letter is confusable with, or the letter itself."""
    if char.isascii() or not char.isalpha():
        return char
    try:
        found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    except (KeyError, ValueError):
        return char
    for entry in found or []:
        for glyph in entry.get("homoglyphs", []):
            candidate = glyph.get("c", "")
            if len(candidate) == 1 and candidate.isascii() and candidate.isalpha():
                return candidate
    return char


def skeleton(text: str) -> str:
    """Map look-alike letters to Latin only in words that are mostly disguised Latin.

    A word written wholly in another script (Arabic, Bengali, Cyrillic Russian) is left alone:
    mapping it would turn real words into nonsense. A word mixing Latin with look-alikes, or a
    message whose Cyrillic letters all have Latin twins, is mapped.
    """
    out = []
    for word in text.split(" "):
        mapped = "".join(_latin(ch) for ch in word)
        non_ascii = [ch for ch in word if not ch.isascii() and ch.isalpha()]
        if not non_ascii or mapped.isascii():
            out.append(mapped)
        else:
            out.append(word)
    return " ".join(out)


def without_format_characters(text: str) -> str:
    """Drop zero-width, bidi and other invisible format characters (Unicode category Cf)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def for_matching(text: str | None) -> str:
    """The form every deterministic check reads."""
    if not text:
        return ""
    folded = without_format_characters(unicodedata.normalize("NFKC", text)).translate(_QUOTES)
    folded = " ".join(folded.lower().split())
    return skeleton(folded).lower()
