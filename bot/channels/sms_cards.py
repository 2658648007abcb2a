"""A list of services as one or two compact texts, not one text per service.

On SMS each service sent on its own arrives as its own text and floods the lock screen. The
cards of one reply are packed together instead: each as its name, number and opening hours
(the website too while everything still fits, and always for a service without a number),
blank lines between them, in the GSM-7 alphabet. Numbers stay as the directory writes them
(digits and spaces), which phones make tappable. No labels: a name, a number and hours read
plainly on a basic phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.channels.sms_text import MAX_SEGMENTS, fits, to_gsm7

MAX_CARD_TEXTS = 2
MAX_LINE_CHARS = 140  # a directory field longer than this is cut: the card must stay compact
_SEPARATOR = "\n\n"


def _line(value: str | None) -> str:
    line = to_gsm7(value or "").replace("\n", " ")
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 3].rstrip() + "..."


def compact_card(card: Mapping[str, str], *, hours: bool = True, website: bool = True) -> str:
    """Name, number, then hours and website when asked for; only lines that have a value. A
    service without a number keeps its website: it is then the only way to reach it."""
    keep_website = website or not card.get("phone")
    fields = [card.get("name"), card.get("phone"), card.get("hours") if hours else None,
              card.get("website") if keep_website else None]
    return "\n".join(line for line in map(_line, fields) if line)


def _pack(cards: Sequence[str], max_segments: int) -> list[str]:
    """Whole cards joined in order while each text still fits; a card is never split."""
    texts: list[str] = []
    for card in cards:
        if texts and fits(texts[-1] + _SEPARATOR + card, max_segments):
            texts[-1] += _SEPARATOR + card
        else:
            texts.append(card)
    return texts


def card_texts(cards: Sequence[Mapping[str, str]], max_texts: int = MAX_CARD_TEXTS,
               max_segments: int = MAX_SEGMENTS) -> list[str]:
    """At most `max_texts` texts for the cards: websites go first if they do not fit, then
    hours; if even names and numbers do not fit, the first cards (the best fits) are kept."""
    if not cards:
        return []
    packed: list[str] = []
    for hours, website in ((True, True), (True, False), (False, False)):
        packed = _pack([compact_card(c, hours=hours, website=website) for c in cards],
                       max_segments)
        if len(packed) <= max_texts:
            return packed
    return packed[:max_texts]
