"""action_find_services sends the introduction, the cards and what follows the outcome itself.

It used to leave them to more steps (the introduction and the outro predicted by rules, then
action_list_services, a second HTTP round trip); folding them in is what brought the CPU per
reply down (docs/performance.md, issue 14's budgets). These pin the order and the wording
source: responses by name, with the slots this step sets handed to them (bot/nlg.py), cards
from directory data only, no prose of the action's own.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import find_services
from actions.find_services import ActionFindServices
from bot.planned_slots import PLANNED_SLOTS


def _service(name: str, scope: str = "national") -> Any:
    return SimpleNamespace(name=name, phone="0808 2000 247", hours=None, website=None,
                           description=None, scope=scope)


def _result(boroughs: tuple[str, ...] = (), outside_london: bool = False) -> Any:
    place = SimpleNamespace(candidates=tuple(SimpleNamespace(name=b) for b in boroughs))
    return SimpleNamespace(place=place, services=[_service("Helpline"), _service("Local", "borough")],
                           needs_borough_choice=False, outside_london=outside_london)


def _tracker(text: str, intent: str, entities: list[dict[str, Any]] | None = None,
             slots: dict[str, Any] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent}, "entities": entities or []}
    return Tracker("t", slots or {}, message, [], False, None, None, "action_listen")


def _run(monkeypatch: pytest.MonkeyPatch, result: Any, tracker: Tracker) -> tuple[list, list]:
    monkeypatch.setattr(find_services.directory_client, "search", lambda *a, **k: result)
    dispatcher = CollectingDispatcher()
    events = ActionFindServices().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def _outcome(events: list[dict[str, Any]]) -> Any:
    return next(e["value"] for e in events if e.get("name") == "search_outcome")


def test_a_borough_gets_its_introduction_with_the_borough_then_one_card_each(monkeypatch):
    tracker = _tracker("Hackney", "inform_location", [{"entity": "location", "value": "Hackney"}])
    messages, events = _run(monkeypatch, _result(("Hackney",)), tracker)
    assert messages[0]["response"] == "utter_services_intro"
    assert messages[0]["area_label"] == "Hackney"
    assert messages[0][PLANNED_SLOTS] == {"area_label": "Hackney"}
    assert [m["text"] for m in messages[1:3]] == ["Helpline\n0808 2000 247", "Local\n0808 2000 247"]
    assert messages[3]["response"] == "utter_services_outro"
    assert messages[3][PLANNED_SLOTS]["every_card_has_number"] is True
    assert len(messages) == 4
    assert _outcome(events) == "listed"


def test_no_place_yet_gets_the_national_introduction(monkeypatch):
    messages, events = _run(monkeypatch, _result(), _tracker("he hits me", "physical_abuse"))
    assert messages[0]["response"] == "utter_services_intro_national"
    assert "area_label" not in messages[0]
    assert [m["response"] for m in messages if m.get("response")] == [
        "utter_services_intro_national", "utter_offer_location"]
    assert len(messages) == 4
    assert _outcome(events) == "offer_location"


def test_outside_london_gets_its_introduction_and_only_national_cards(monkeypatch):
    tracker = _tracker("Manchester", "inform_location", [{"entity": "location", "value": "Manchester"}])
    messages, events = _run(monkeypatch, _result(outside_london=True), tracker)
    assert messages[0]["response"] == "utter_outside_london"
    assert [m["text"] for m in messages[1:-1]] == ["Helpline\n0808 2000 247"]
    assert messages[-1]["response"] == "utter_find_your_council"
    assert _outcome(events) == "outside_london"


def test_an_unknown_place_gets_only_the_unknown_place_reply(monkeypatch):
    tracker = _tracker("Narnia", "inform_location", [{"entity": "location", "value": "Narnia"}])
    messages, events = _run(monkeypatch, _result(), tracker)
    assert [m["response"] for m in messages] == ["utter_unknown_place"]
    assert _outcome(events) == "unknown_place"


def test_a_directory_that_fails_still_gets_the_helpline_reply(monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("database is locked")
    monkeypatch.setattr(find_services.directory_client, "search", broken)
    dispatcher = CollectingDispatcher()
    events = ActionFindServices().run(dispatcher, _tracker("he hits me", "physical_abuse"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_service_unavailable"]
    assert _outcome(events) == "unavailable"


def test_the_same_list_twice_in_a_row_is_not_sent_again(monkeypatch):
    first_messages, first = _run(monkeypatch, _result(), _tracker("he hits me", "physical_abuse"))
    listed_for = next(e["value"] for e in first if e.get("name") == "listed_for")
    again = _tracker("he hits me again", "physical_abuse", slots={"listed_for": listed_for})
    messages, events = _run(monkeypatch, _result(), again)
    assert first_messages and messages == []
    assert _outcome(events) == "already_listed"


def test_asking_for_support_again_gets_the_list_again(monkeypatch):
    """"is there anyone for older people" after the list that began with Hourglass: the
    question is answered with the services, not with a reply that lists none."""
    _, first = _run(monkeypatch, _result(), _tracker("he hits me", "physical_abuse"))
    listed_for = next(e["value"] for e in first if e.get("name") == "listed_for")
    again = _tracker("is there anyone who can help", "find_support", slots={"listed_for": listed_for})
    messages, events = _run(monkeypatch, _result(), again)
    assert messages and _outcome(events) != "already_listed"


def test_the_outro_about_services_without_a_number_is_only_for_when_one_has_none(monkeypatch):
    """"A service shown without a number..." was said after every list, even when every
    service listed had a number: the slot lets the outro say it only when it is true."""
    numbered = _result(("Hackney",))
    tracker = _tracker("Hackney", "inform_location", [{"entity": "location", "value": "Hackney"}])
    _, events = _run(monkeypatch, numbered, tracker)
    assert {"event": "slot", "name": "every_card_has_number", "value": True} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]
    numbered.services.append(SimpleNamespace(name="No number yet", phone=None, hours=None,
                                             website="https://example.org", description=None,
                                             scope="local"))
    _, events = _run(monkeypatch, numbered, tracker)
    assert next(e["value"] for e in events if e.get("name") == "every_card_has_number") is False


def test_after_a_recent_assault_the_police_answer_is_followed_by_the_assault_services(monkeypatch):
    """"I don't want to go to the police" after a rape had been followed by the legal advice
    lines; the Havens and Rape Crisis fit her."""
    topics: list[str] = []

    def search(topic: str, *args: Any, **kwargs: Any) -> Any:
        topics.append(topic)
        return _result()
    monkeypatch.setattr(find_services.directory_client, "search", search)
    tracker = _tracker("I don't want to go to the police", "ask_law", slots={"topic": "sexual_violence"})
    find_services.send_services(CollectingDispatcher(), tracker, {"reply": "answer_police_after_assault"})
    find_services.send_services(CollectingDispatcher(), tracker, {"reply": "answer_law"})
    assert topics == ["sexual_violence", "legal"]


def test_children_taken_abroad_are_answered_with_legal_services_whatever_the_topic():
    """Stopping it needs a court order, so the legal advice services, not the topic's."""
    text = "he's taking the kids to his family abroad and not bringing them back"
    told = _tracker(text, "ask_children", slots={"topic": "physical_abuse"})
    assert find_services.search_topic("ask_children", told, "answer_children_abroad") == "legal"
    assert find_services.search_topic("ask_children", told, "answer_children") == "physical_abuse"
