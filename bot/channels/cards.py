"""What a bot message means, read from its `custom` data, for every channel to show in its idiom.

Rasa's messages are text. Some carry a small, channel-neutral description beside the text:
a service card (actions/service_cards.py: directory data only) or the emergency call
(domain.yml's utter_emergency). The text is always there too, so a renderer that does not
know the description still says the same thing. Values come from the directory or domain.yml
and are checked here once, so no channel renders anything but short strings.

The labels beside a card's fields ("Phone", "Hours"...) are words a person reads, so they live
in domain.yml, in the `custom` of utter_services_outro (a response the dialogue uses, which
`rasa data validate --fail-on-warnings` requires of every response).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

SERVICE_CARD = "service_card"  # the same key actions/service_cards.py writes
EMERGENCY = "emergency"
LABELS_RESPONSE = "utter_services_outro"
LABELS_KEY = "service_card_labels"
CARD_FIELDS = ("name", "phone", "text_phone", "hours", "website", "description", "last_confirmed")
MAX_FIELD_CHARS = 1000  # far more than any directory field; a bound on what is rendered


def _custom(message: Mapping[str, Any]) -> Mapping[str, Any]:
    custom = message.get("custom")
    return custom if isinstance(custom, Mapping) else {}


def _strings(raw: Any, keys: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {key: raw[key].strip()[:MAX_FIELD_CHARS] for key in keys
            if isinstance(raw.get(key), str) and raw[key].strip()}


def card_fields(raw: Any) -> dict[str, str] | None:
    """A card's string fields, or None when it is not a card (a card has a name)."""
    card = _strings(raw, CARD_FIELDS)
    return card if card.get("name") else None


def call_fields(raw: Any) -> dict[str, str] | None:
    """An emergency call's string fields ({"call": "999", ...}), or None without a number."""
    call = _strings(raw, ("call", "silent_solution", "call_label"))
    return call if call.get("call") else None


def service_card(message: Mapping[str, Any]) -> dict[str, str] | None:
    """The service card a bot message carries, or None."""
    return card_fields(_custom(message).get(SERVICE_CARD))


def emergency_call(message: Mapping[str, Any]) -> dict[str, str] | None:
    """The emergency call a bot message names, or None."""
    return call_fields(_custom(message).get(EMERGENCY))


def https_url(value: str | None) -> str | None:
    """The address if it is a plain https URL with a host (safe to offer as a link), else None."""
    if not value or any(ch.isspace() for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme == "https" and parts.hostname else None


def labels_from(variants: Any) -> dict[str, str]:
    """The card labels in a response's variants (domain.yml's data, as Rasa or YAML loads it)."""
    for variant in variants if isinstance(variants, list) else []:
        custom = variant.get("custom") if isinstance(variant, Mapping) else None
        if isinstance(custom, Mapping):
            labels = _strings(custom.get(LABELS_KEY), CARD_FIELDS)
            if labels:
                return labels
    return {}


def card_labels(domain: Any) -> dict[str, str]:
    """The labels from the loaded domain; empty (values shown unlabelled) if it has none."""
    responses = getattr(domain, "responses", None) or {}
    return labels_from(responses.get(LABELS_RESPONSE))
