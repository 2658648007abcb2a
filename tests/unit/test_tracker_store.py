"""Conversations are forgotten on quick exit, on request, and after silence."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import ForgetfulTrackerStore

ROOT_DOMAIN = "domain.yml"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT_DOMAIN)


def tracker(sender: str, intent: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), UserUttered("words", {"name": intent, "confidence": 1.0})]
    return DialogueStateTracker.from_events(sender, events)


def test_a_conversation_is_kept_until_quick_exit(domain: Domain) -> None:
    store = ForgetfulTrackerStore(domain, ttl_seconds=600)

    async def scenario() -> None:
        await store.save(tracker("web-a", "greet"))
        assert await store.retrieve("web-a") is not None
        await store.save(tracker("web-a", "quick_exit"))
        assert await store.retrieve("web-a") is None
        assert "web-a" not in await store.keys()

    asyncio.run(scenario())


def test_delete_forgets_and_reports_whether_there_was_one(domain: Domain) -> None:
    store = ForgetfulTrackerStore(domain, ttl_seconds=600)

    async def scenario() -> None:
        await store.save(tracker("sms-b", "greet"))
        assert await store.delete("sms-b") is True
        assert await store.delete("sms-b") is False
        assert await store.retrieve("sms-b") is None

    asyncio.run(scenario())


def test_silent_conversations_expire(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ForgetfulTrackerStore(domain, ttl_seconds=60)
    clock = [1000.0]
    monkeypatch.setattr("bot.tracker_store.time.monotonic", lambda: clock[0])

    async def scenario() -> None:
        await store.save(tracker("web-old", "greet"))
        clock[0] += 30
        await store.save(tracker("web-new", "greet"))
        clock[0] += 45  # web-old silent for 75 s, web-new for 45 s
        assert await store.retrieve("web-old") is None
        assert await store.retrieve("web-new") is not None

    asyncio.run(scenario())


def test_a_conversation_that_speaks_again_is_kept(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ForgetfulTrackerStore(domain, ttl_seconds=60)
    clock = [1000.0]
    monkeypatch.setattr("bot.tracker_store.time.monotonic", lambda: clock[0])

    async def scenario() -> None:
        await store.save(tracker("web-a", "greet"))
        await store.save(tracker("web-b", "greet"))
        clock[0] += 50
        await store.save(tracker("web-a", "stalking"))  # a speaks again; b stays silent
        clock[0] += 20
        assert await store.retrieve("web-a") is not None
        assert await store.retrieve("web-b") is None

    asyncio.run(scenario())
