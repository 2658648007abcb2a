"""A service card holds directory data only, and never a number the directory doesn't hold."""

from __future__ import annotations

from datetime import date

from actions.service_cards import render_card
from services_directory.search import ServiceCard


def card(**overrides: object) -> ServiceCard:
    fields = dict(id="svc-x", name="Example Service", phone=None, website=None,
                  description="Helps people in Lewisham.", area="Lewisham", topics=("stalking",),
                  audience=(), is_24_hours=False, last_verified=date(2026, 11, 22), scope="local")
    fields.update(overrides)
    return ServiceCard(**fields)  # type: ignore[arg-type]


def test_a_service_without_a_verified_number_is_shown_by_name_and_description_only() -> None:
    assert render_card(card()) == "Example Service\nHelps people in Lewisham."


def test_number_hours_and_website_follow_the_name_in_that_order() -> None:
    rendered = render_card(card(phone="0808 2000 247", hours="Open 24 hours",
                                website="https://example.org"))
    assert rendered.splitlines() == ["Example Service", "0808 2000 247", "Open 24 hours",
                                     "https://example.org", "Helps people in Lewisham."]


def test_a_card_is_the_directory_fields_that_have_a_value() -> None:
    from actions.service_cards import card_data, card_text

    data = card_data(card(phone="0808 2000 247", website="https://example.org",
                          source_read_on=date(2026, 11, 28)))
    assert data == {"name": "Example Service", "phone": "0808 2000 247",
                    "website": "https://example.org", "description": "Helps people in Lewisham.",
                    "last_confirmed": "2026-11-22"}
    # The text beside it is exactly the card as it was shown before cards were data.
    assert card_text(data) == render_card(card(phone="0808 2000 247",
                                               website="https://example.org"))
    assert "2026-11-22" not in card_text(data)


def test_only_a_person_confirming_an_entry_gives_it_a_last_confirmed_date() -> None:
    from actions.service_cards import card_data

    # Read from a public page on a day, never confirmed by staff: no date on the card.
    unconfirmed = card(last_verified=None, source_read_on=date(2026, 11, 28),
                       source_page_date="2026-10-01", verification="unconfirmed")
    assert "last_confirmed" not in card_data(unconfirmed)


def test_each_card_is_sent_as_data_beside_its_text(monkeypatch) -> None:
    """action_find_services sends the cards itself (one step, issue 14's p50 budget): each as
    its plain text and, in `custom`, the data the channels render."""
    from types import SimpleNamespace

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import find_services
    from actions.service_cards import SERVICE_CARD, card_data
    from bot.channels.cards import SERVICE_CARD as READ_BY_CHANNELS

    assert SERVICE_CARD == READ_BY_CHANNELS
    service = card(phone="0808 2000 247")
    result = SimpleNamespace(place=SimpleNamespace(candidates=()), services=[service],
                             needs_borough_choice=False, outside_london=False)
    monkeypatch.setattr(find_services.directory_client, "search", lambda *a, **k: result)
    tracker = Tracker("someone", {}, {"text": "he hits me", "intent": {"name": "physical_abuse"},
                                      "entities": []}, [], False, None, None, "action_listen")
    dispatcher = CollectingDispatcher()
    find_services.ActionFindServices().run(dispatcher, tracker, {})
    sent = [(m["text"], m["custom"]) for m in dispatcher.messages if m.get("text")]
    assert sent == [("Example Service\n0808 2000 247\nHelps people in Lewisham.",
                     {SERVICE_CARD: card_data(service)})]


def test_a_text_or_textphone_number_follows_the_voice_number() -> None:
    """A Deaf person needs SignHealth's SMS line, which the card used to leave out (it showed
    only the first number)."""
    from actions.service_cards import card_data, card_text
    from bot.channels.telegram_cards import card_html
    from services_directory.search import PhoneLine

    deaf_service = card(phone="020 3947 2601",
                        phones=(PhoneLine("020 3947 2601"), PhoneLine("07970 350366", "text (SMS)", None, "text")))
    data = card_data(deaf_service)
    assert data["text_phone"] == "07970 350366"
    assert card_text(data).splitlines()[1:3] == ["020 3947 2601", "07970 350366"]
    assert "Text or textphone: 07970 350366" in card_html(data, {"text_phone": "Text or textphone"})
    # a voice-only service has no such line, and the main number is never repeated
    assert "text_phone" not in card_data(card(phone="0808 2000 247", phones=(PhoneLine("0808 2000 247"),)))
    only_text = card(phone="07970 350366", phones=(PhoneLine("07970 350366", None, None, "text"),))
    assert "text_phone" not in card_data(only_text)
