"""Turns directory entries into service cards: small, channel-neutral descriptions.

Only directory data goes in a card (name, verified number, hours as the directory words them,
website, description, and the day a member of staff last confirmed the entry): no wording of
our own, so nothing here needs safeguarding review. Each channel shows a card in its own idiom
(bot/channels/cards.py); the labels beside the fields live in domain.yml. A card's plain text,
the same lines as before cards were data, goes with it for anything that does not know cards.
A service without a verified number is shown by name only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SERVICE_CARD = "service_card"  # the key of a card in a bot message's `custom`
# The fields of a card's plain text, in the order a person reads them.
TEXT_FIELDS = ("name", "phone", "text_phone", "hours", "website", "description")
# Phone types a Deaf or speech-impaired person can use without speaking.
_TEXT_TYPES = ("text", "textphone")


def card_data(service: Any) -> dict[str, str]:
    """The card's fields that have a value. `last_confirmed` is the date a person confirmed the
    entry (the directory only records one with who confirmed it); an import date never is."""
    confirmed = getattr(service, "last_verified", None)
    fields = {
        "name": service.name,
        "phone": service.phone or "",
        "text_phone": text_number(service),
        "hours": service.hours or "",
        "website": service.website or "",
        "description": service.description or "",
        "last_confirmed": confirmed.isoformat() if confirmed else "",
    }
    return {key: str(value) for key, value in fields.items() if value}


def text_number(service: Any) -> str:
    """The first number to text or use by textphone, when the card's main number is another:
    SignHealth's SMS line matters more to a Deaf person than its voice number."""
    for line in getattr(service, "phones", ()) or ():
        if getattr(line, "type", "voice") in _TEXT_TYPES and line.number != service.phone:
            return str(line.number)
    return ""


def card_text(card: Mapping[str, Any]) -> str:
    """The card as plain lines, for a channel (or a test) that reads only text."""
    return "\n".join(str(card[key]) for key in TEXT_FIELDS if card.get(key))


def render_card(service: Any) -> str:
    return card_text(card_data(service))
