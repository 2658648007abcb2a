"""What a message means travels with its words: cards and the emergency call, on every channel.

The collector is the real Rasa CollectingOutputChannel (with our one change), fed the messages
Rasa's processor sends; the domain is the real domain.yml.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channel_harness import CARDS, card_message, domain, text_of

from bot.channels.cards import (
    CARD_FIELDS,
    card_labels,
    emergency_call,
    https_url,
    service_card,
)
from bot.channels.conversation import ChannelCollector, response_text
from bot.channels.web import _public
from bot.webfront.rasa_client import public_messages


def collected(*messages: dict[str, Any]) -> list[dict[str, Any]]:
    collector = ChannelCollector("web")

    async def send() -> None:
        for message in messages:
            await collector.send_response("someone", dict(message))

    asyncio.run(send())
    return collector.messages


def test_custom_stays_with_its_text_and_plain_text_is_collected_as_rasa_does():
    emergency = response_text(domain(), "utter_emergency", "web")
    out = collected(emergency, card_message(CARDS[0]), {"text": "one\n\ntwo"})
    # Rasa's own collector would have made the custom data separate, textless messages.
    assert [m.get("text") for m in out] == [emergency["text"], card_message(CARDS[0])["text"],
                                             "one", "two"]
    assert emergency_call(out[0]) == {"call": "999", "silent_solution": "55",
                                      "call_label": "Call 999"}
    assert service_card(out[1]) == CARDS[0]


def test_every_emergency_wording_names_the_call_and_the_labels_are_in_the_domain():
    for variant in domain().responses["utter_emergency"]:
        assert emergency_call(variant)["call"] == "999"
    for variant in domain().responses["utter_after_emergency"]:
        assert "0808 2000 247" in variant["text"]
        assert variant["custom"]["after_emergency"]["call"] == "0808 2000 247"
    labels = card_labels(domain())
    assert set(labels) == set(CARD_FIELDS) - {"name"}  # every field under the name has its words
    assert all(isinstance(word, str) and word for word in labels.values())


def test_the_web_gets_cards_and_the_call_as_plain_strings_only():
    card = dict(CARDS[0], extra="not a card field", phone=["not", "a", "string"])
    message = {"text": "Example", "custom": {"service_card": card}}
    public = _public(message)
    assert public["service_card"] == {k: v for k, v in CARDS[0].items() if k != "phone"}
    assert "extra" not in public["service_card"]
    emergency = _public(response_text(domain(), "utter_emergency", "web"))
    assert emergency["text"] == text_of("utter_emergency", "web")
    assert emergency["emergency"]["call"] == "999"
    assert "service_card" not in _public({"text": "x", "custom": {"service_card": {"phone": "1"}}})
    # The web front keeps the same, and nothing else, from what Rasa answers.
    assert public_messages([public, emergency, {"text": "y", "service_card": "nonsense",
                                                "emergency": {"call": 999}}]) == [
        public, emergency, {"text": "y"}]


def test_only_a_plain_https_address_is_a_link():
    assert https_url("https://example.org/help?a=1") == "https://example.org/help?a=1"
    for address in ("http://example.org", "javascript:alert(1)", "https://", "https://a b.org",
                    "example.org", "", None, "HTTPS://example.org\n"):
        assert https_url(address) is None, address
