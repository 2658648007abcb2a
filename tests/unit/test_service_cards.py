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
