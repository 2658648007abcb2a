"""Turning the bot's replies into SMS a basic phone shows well and a person can afford.

A pay-as-you-go phone without data shows raw text: markup appears as stray symbols and one
emoji switches a whole message to UCS-2, cutting each segment from 160 to 70 characters. Long
concatenated texts can arrive broken or out of order, so each message is kept to a few
segments and split where a reader would pause (lines, then sentences).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# GSM 03.38 default alphabet and its extension table (each extension character costs two
# septets: an escape plus the character). ESC itself is not something we ever send.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./" + string.digits + ":;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153  # septets
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units
MAX_SEGMENTS = 3

# Typography that has a GSM-7 equivalent: keeping it would force UCS-2 for no reader benefit.
_ASCII_EQUIVALENTS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2022": "-", "\u00b7": "-", "\u2026": "...",
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u202f": " ",
    "\u2192": "->", "\u2190": "<-",
})
# Emoji building blocks that are not category So: variation selectors, joiner, keycap, tags,
# skin tones.
_EMOJI_PARTS = re.compile(
    "[\ufe0e\ufe0f\u200d\u20e3\U000e0020-\U000e007f\U0001f3fb-\U0001f3ff]"
)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_UNDERSCORE = re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_GONE = "\ue000"  # where an emoji was; private-use, so never in the text that arrives here
_GONE_BEFORE_PUNCTUATION = re.compile(r"[ \t]*\ue000[\ue000 \t]*(?=[,.:;!?])")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def encoding(text: str) -> str:
    """"GSM-7" or "UCS-2": one character outside GSM-7 makes the whole message UCS-2."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def _units(text: str) -> list[int]:
    """The cost of each character in its encoding's units; characters are never split."""
    if is_gsm7(text):
        return [2 if ch in GSM7_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segment_count(text: str) -> int:
    """How many SMS segments a phone network bills for this text (0 for nothing to send).

    A multi-part message loses room to its header (153 septets / 67 units a part), and an
    escaped GSM-7 character or a UTF-16 surrogate pair never straddles two parts.
    """
    if not text:
        return 0
    gsm = is_gsm7(text)
    units = _units(text)
    if sum(units) <= (GSM7_SINGLE if gsm else UCS2_SINGLE):
        return 1
    part = GSM7_PART if gsm else UCS2_PART
    segments, used = 1, 0
    for cost in units:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    return segment_count(text) <= max_segments


def to_plain(text: str) -> str:
    """Text a basic phone shows as written: no markup, no emoji, no invisible characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = _HTML_TAG.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2)
                        else f"{m.group(1)}: {m.group(2)}", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_UNDERSCORE.sub(r"\1", text)
    text = text.translate(_ASCII_EQUIVALENTS)
    text = _EMOJI_PARTS.sub("", text)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\n":
            kept.append(ch)
        elif category == "So":
            kept.append(_GONE)
        elif category in ("Cf", "Cs", "Co", "Cn"):  # zero-width, bidi, unassigned
            continue
        elif category[0] in "CZ":  # other controls and separators read as a space
            kept.append(" ")
        else:
            kept.append(ch)
    # "Call now \U0001f4de: 999" should read "Call now: 999", not "Call now : 999".
    plain = _GONE_BEFORE_PUNCTUATION.sub("", "".join(kept)).replace(_GONE, " ")
    lines = [" ".join(line.split()) for line in plain.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def to_gsm7(text: str) -> str:
    """Plain text (to_plain) in the GSM-7 alphabet only: a letter outside it loses its accent
    ("ā" -> "a") or, with no GSM-7 form at all, is left out, so one directory name cannot
    turn a whole message into UCS-2 and cut its segments to 70 characters."""
    plain = to_plain(text)
    if is_gsm7(plain):
        return plain
    kept = []
    for ch in plain:
        if is_gsm7(ch):
            kept.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        kept.append(base if is_gsm7(base) else "")
    lines = [" ".join(line.split()) for line in "".join(kept).split("\n")]
    return "\n".join(lines).strip()


def button_lines(buttons: Iterable[dict[str, Any]], first: int = 1) -> list[str]:
    """One "Reply N for <title>" line per button, numbered from `first`."""
    return [f"Reply {n} for {to_plain(str(b.get('title', '')))}"
            for n, b in enumerate(buttons, start=first)]


def split_to_fit(text: str, max_segments: int = MAX_SEGMENTS,
                 fits_in: Callable[[str, int], bool] = fits) -> list[str]:
    """Cut text into parts that each fit, at the gentlest break available.

    Lines first, then sentences, then words; only a single unbroken word longer than a whole
    message is cut mid-word.
    """
    text = text.strip()
    if not text:
        return []
    if fits_in(text, max_segments):
        return [text]
    for pattern, joiner in ((re.compile(r"\n+"), "\n"), (_SENTENCE_END, " "),
                            (re.compile(r"\s+"), " ")):
        pieces = [p for p in pattern.split(text) if p.strip()]
        if len(pieces) > 1:
            parts: list[str] = []
            for piece in pieces:
                parts.extend(split_to_fit(piece, max_segments, fits_in))
            return _pack(parts, joiner, max_segments, fits_in)
    # One enormous word: cut it into the largest prefixes that fit.
    parts, rest = [], text
    while rest:
        low, high = 1, len(rest)  # the longest prefix that fits (fitting shrinks with length)
        while low < high:
            middle = (low + high + 1) // 2
            if fits_in(rest[:middle], max_segments):
                low = middle
            else:
                high = middle - 1
        parts.append(rest[:low])
        rest = rest[low:]
    return parts


def _pack(parts: Sequence[str], joiner: str, max_segments: int,
          fits_in: Callable[[str, int], bool]) -> list[str]:
    """Join consecutive parts greedily while the result still fits; order never changes."""
    packed: list[str] = []
    for part in parts:
        if packed and fits_in(packed[-1] + joiner + part, max_segments):
            packed[-1] = packed[-1] + joiner + part
        else:
            packed.append(part)
    return packed


def sms_bodies(blocks: Sequence[str], max_segments: int = MAX_SEGMENTS) -> list[str]:
    """The SMS bodies for a reply made of blocks (one per bot message), in order.

    Blocks share a message when they fit together: fewer messages mean fewer chances of
    arriving out of order on the handset.
    """
    parts: list[str] = []
    for block in blocks:
        parts.extend(split_to_fit(block, max_segments))
    return _pack(parts, "\n", max_segments, fits)
