"""The one message pipeline every channel shares, exercised directly and by property tests.

The Rasa stand-in and the real ForgetfulTrackerStore come from the channel harness; the model
is not needed to check the order of the checks, and the end-to-end tests run the real model.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.channels.conversation import ChannelCollector
from bot.channels.input_guard import REFUSED_TOO_LONG
from bot.channels.pipeline import MessagePipeline, OfferedPayloads, as_words
from tests.channels.channel_harness import DANGER_TEXT, FakeRasa, make_agent, settings, text_of

KEY = "web-0123456789abcdef0123456789abcdef"


def pipeline(**overrides: Any) -> MessagePipeline:
    return MessagePipeline("web", settings(**overrides), lambda: ChannelCollector("web"))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_leaving_comes_first_even_with_danger_and_forgets_everything() -> None:
    async def scenario() -> None:
        agent = make_agent()
        rasa = FakeRasa(agent)
        pipe = pipeline()
        await pipe.handle(rasa, agent, KEY, "hello")
        assert KEY in pipe.offered  # the greeting offered buttons
        outcome = await pipe.handle(rasa, agent, KEY, "he's back with a knife gtg")
        assert outcome.left
        assert outcome.messages == [{"text": text_of("utter_quick_exit", "web"),
                                     "custom": {"quick_exit": True}}]
        assert rasa.texts == ["hello"]  # the leaving message never reached the model
        assert list(await agent.tracker_store.keys()) == []
        assert KEY not in pipe.offered

    run(scenario())


def test_a_refusal_still_puts_the_emergency_first() -> None:
    async def scenario() -> None:
        agent = make_agent()
        rasa = FakeRasa(agent)
        outcome = await pipeline().handle(rasa, agent, KEY, "he has a knife " + "x" * 1200)
        assert rasa.texts == [REFUSED_TOO_LONG]  # the refusal is still answered by Rasa's rule
        assert outcome.messages[0]["text"] == text_of("utter_emergency", "web")

    run(scenario())


def test_suicide_gets_its_own_support_first_not_the_silent_solution() -> None:
    async def scenario() -> None:
        agent = make_agent()
        rasa = FakeRasa(agent)
        outcome = await pipeline().handle(rasa, agent, KEY, "i dont want to be alive " + "x" * 1200)
        assert rasa.texts == [REFUSED_TOO_LONG]
        assert outcome.messages[0]["text"] == text_of("utter_self_harm_support", "web")
        assert all("press 55" not in m.get("text", "") for m in outcome.messages)

    run(scenario())


def test_danger_is_never_rate_limited_and_others_wait() -> None:
    from bot.channels.input_guard import REFUSED_RATE

    async def scenario() -> None:
        agent = make_agent()
        agent.parse_message = _no_urgency
        rasa = FakeRasa(agent)
        pipe = pipeline(rate_limit_per_minute=1)
        await pipe.handle(rasa, agent, KEY, "hello")
        await pipe.handle(rasa, agent, KEY, "what now")
        outcome = await pipe.handle(rasa, agent, KEY, DANGER_TEXT)
        assert rasa.texts == ["hello", REFUSED_RATE, DANGER_TEXT]
        assert outcome.messages[0]["text"] == text_of("utter_emergency", "web")

    run(scenario())


def test_a_limited_message_the_model_reads_as_danger_still_gets_through() -> None:
    async def scenario() -> None:
        agent = make_agent()
        agent.parse_message = _danger
        rasa = FakeRasa(agent)
        pipe = pipeline(rate_limit_per_minute=1)
        await pipe.handle(rasa, agent, KEY, "hello")
        await pipe.handle(rasa, agent, KEY, "hes hurting me nd wont quit")
        assert rasa.texts == ["hello", "hes hurting me nd wont quit"]

    run(scenario())


def test_the_overall_limit_protects_everyone_but_never_holds_back_danger() -> None:
    from bot.channels.input_guard import REFUSED_RATE

    async def scenario() -> None:
        agent = make_agent()
        agent.parse_message = _no_urgency
        rasa = FakeRasa(agent)
        pipe = pipeline(overall_rate_limit_per_minute=2)
        for n in range(3):
            await pipe.handle(rasa, agent, f"{KEY}{n}", "hello")
        await pipe.handle(rasa, agent, KEY + "x", DANGER_TEXT)
        assert rasa.texts == ["hello", "hello", REFUSED_RATE, DANGER_TEXT]

    run(scenario())


def test_typed_payloads_work_only_when_offered() -> None:
    async def scenario() -> None:
        agent = make_agent()
        rasa = FakeRasa(agent)
        pipe = pipeline()
        await pipe.handle(rasa, agent, KEY, "/find_support")
        await pipe.handle(rasa, agent, KEY, '/inform_location{"location": "he has a knife"}')
        await pipe.handle(rasa, agent, KEY, "hello")  # offers /find_support and others
        await pipe.handle(rasa, agent, KEY, "/find_support")
        assert rasa.texts == ["find support", "he has a knife", "hello", "/find_support"]

    run(scenario())


def test_offered_payloads_expire_and_belong_to_one_conversation() -> None:
    now = [0.0]
    offered = OfferedPayloads(ttl_seconds=10, clock=lambda: now[0])
    offered.remember("a", ["/fgm", "Lewisham"])
    assert offered.was_offered("a", "/fgm") and not offered.was_offered("b", "/fgm")
    assert not offered.was_offered("a", "Lewisham")  # only slash payloads need remembering
    now[0] = 11
    assert not offered.was_offered("a", "/fgm")


def test_as_words_reads_shortcuts_as_what_they_say() -> None:
    assert as_words('/inform_location{"location": "Lewisham"}') == "Lewisham"
    assert as_words("/quick_exit") == "quick exit"


async def _no_urgency(text: str) -> dict:
    return {"intent": {"name": "out_of_scope"}}


async def _danger(text: str) -> dict:
    return {"intent": {"name": "immediate_danger"}}


@hypothesis_settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.binary(max_size=50).map(repr),
                 st.builds(lambda a, b: f"/{a}{{\"location\": \"{b}\"}}",
                           st.from_regex(r"[a-z_]{1,20}", fullmatch=True), st.text(max_size=40))))
def test_any_text_gets_a_reply_and_no_unoffered_shortcut_reaches_the_model(raw: str) -> None:
    async def scenario() -> None:
        agent = make_agent()
        agent.parse_message = _no_urgency
        rasa = FakeRasa(agent)
        outcome = await pipeline().handle(rasa, agent, KEY, raw)
        assert outcome.messages and all(m.get("text") for m in outcome.messages)
        assert all(not t.startswith("/") or t.startswith("/nlu_fallback") for t in rasa.texts)

    run(scenario())


def test_danger_and_suicide_together_get_both_answers_999_first() -> None:
    async def scenario() -> None:
        agent = make_agent()
        rasa = FakeRasa(agent)
        outcome = await pipeline().handle(rasa, agent, KEY,
                                          "he has a knife and i just want it all to end")
        texts = [m["text"] for m in outcome.messages]
        assert texts[0] == text_of("utter_emergency", "web")
        assert texts[1] == text_of("utter_self_harm_support", "web")

    run(scenario())
