"""One step sends the reply, the services and what follows them (bot/nlg.py).

Rasa fills a response sent by an action from the slots as they were before the action; the
generator lets the action hand over the slots it is setting. These use the real domain and
Rasa's own tracker, so a response whose conditions stop matching fails here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import find_services
from actions.plan_reply import ActionPlanReply
from bot.nlg import PlannedSlotsGenerator
from bot.planned_slots import PLANNED_SLOTS, planned

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def _generate(domain: Domain, name: str, slots: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
    tracker = DialogueStateTracker.from_dict("t", [], domain.slots)
    for slot, value in slots.items():
        tracker.slots[slot].value = value
    return asyncio.run(PlannedSlotsGenerator(domain=domain).generate(name, tracker, "rest", **kwargs))


def test_the_reply_reads_the_slot_planned_in_the_same_step(domain: Domain) -> None:
    planned_reply = _generate(domain, "utter_reply", {"speaker": "self"}, **planned(reply="answer_number"))
    assert planned_reply and "0808 2000 247" in planned_reply["text"]
    assert "National Domestic Abuse Helpline" in planned_reply["text"]
    # without the planned slot the tracker's (empty) reply slot picks another variant
    unplanned = _generate(domain, "utter_reply", {"speaker": "self"})
    assert unplanned and unplanned["text"] != planned_reply["text"]


def test_planned_slots_fill_a_template_and_the_outro_condition(domain: Domain) -> None:
    intro = _generate(domain, "utter_services_intro", {}, **planned(area_label="Hackney"))
    assert intro and "Here is support for Hackney" in intro["text"]
    with_gap = _generate(domain, "utter_services_outro", {}, **planned(every_card_has_number=False))
    without_gap = _generate(domain, "utter_services_outro", {}, **planned(every_card_has_number=True))
    assert with_gap and "A service shown without a number" in with_gap["text"]
    assert without_gap and "A service shown without a number" not in without_gap["text"]


def test_the_endpoints_file_names_the_generator() -> None:
    import yaml

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert endpoints["nlg"]["type"] == "bot.nlg.PlannedSlotsGenerator"


def test_a_recent_assault_gets_its_note_then_the_reply_then_services_in_one_step(monkeypatch) -> None:
    service = SimpleNamespace(name="Rape Crisis", phone="0808 500 2222", hours=None, website=None,
                              description=None, scope="national")
    result = SimpleNamespace(place=SimpleNamespace(candidates=()), services=[service],
                             needs_borough_choice=False, outside_london=False)
    monkeypatch.setattr(find_services.directory_client, "search", lambda *a, **k: result)
    latest = {"text": "he raped me last night", "intent": {"name": "sexual_violence"},
              "entities": [{"entity": "urgency", "value": "recent_sexual_assault"}]}
    tracker = Tracker("t", {"speaker": "self", "topic": "sexual_violence"}, latest, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = ActionPlanReply().run(dispatcher, tracker, {})
    sent = [m.get("response") or m.get("text") for m in dispatcher.messages]
    assert sent == ["utter_recent_sexual_assault", "utter_reply", "utter_services_intro_national",
                    "Rape Crisis\n0808 500 2222", "utter_offer_location"]
    assert dispatcher.messages[1][PLANNED_SLOTS] == {"reply": "explain_sexual_violence"}
    assert dispatcher.messages[-1][PLANNED_SLOTS]["reply"] == "explain_sexual_violence"
    names = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert names["reply"] == "explain_sexual_violence"
    assert names["urgent_notes_given"] == ["utter_recent_sexual_assault"]
    assert names["search_outcome"] == "offer_location"
