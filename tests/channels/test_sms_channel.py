"""The SMS channel over real HTTP: Twilio's own signature scheme, TwiML back, and safety rules."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from channel_harness import (
    CARDS,
    DANGER_TEXT,
    EMOJI_TEXT,
    LONG_TEXT,
    MANY_SERVICES_TEXT,
    SERVICES_TEXT,
    SLOW_TEXT,
    FakeRasa,
    card_message,
    make_agent,
    many_cards,
    serve,
    settings,
    text_of,
)
from twilio.request_validator import RequestValidator

from bot.channels.sms import SmsInput
from bot.channels.sms_text import is_gsm7, segment_count

PUBLIC_URL = "https://signpost.example.org/webhooks/sms/webhook"
AUTH_TOKEN = "twilio-auth-token-for-tests"
PHONE = "+447700900123"
OTHER_PHONE = "+447700900456"


def twilio_form(body: str | None, sender: str | None = PHONE, **extra: str) -> dict[str, str]:
    """What Twilio posts for an incoming SMS, blank fields included (they are signed too)."""
    # Twilio gives every message its own MessageSid (SM + 32 hex digits); a retry repeats it.
    sid = "SM" + uuid.uuid4().hex
    form = {
        "ToCountry": "GB", "ToState": "", "SmsMessageSid": sid, "MessageSid": sid,
        "NumMedia": "0", "ToCity": "", "FromZip": "", "SmsSid": sid,
        "FromState": "", "SmsStatus": "received", "FromCity": "", "FromCountry": "GB",
        "To": "+447700900999", "ToZip": "", "NumSegments": "1",
        "AccountSid": "AC0123456789abcdef0123456789abcdef", "ApiVersion": "2010-04-01",
    }
    if body is not None:
        form["Body"] = body
    if sender is not None:
        form["From"] = sender
    form.update(extra)
    return form


def sign(form: dict[str, str], url: str = PUBLIC_URL, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


@dataclass
class Sms:
    client: httpx.AsyncClient
    rasa: FakeRasa
    agent: Any
    channel: SmsInput

    async def post(self, form: dict[str, str], signature: str | None = None) -> httpx.Response:
        headers = {} if signature is None else {"X-Twilio-Signature": signature}
        return await self.client.post("/webhooks/sms/webhook", data=form, headers=headers)

    async def text(self, body: str, sender: str = PHONE) -> list[str]:
        """Send a correctly signed SMS and return the SMS bodies of the TwiML reply."""
        form = twilio_form(body, sender)
        reply = await self.post(form, sign(form))
        assert reply.status_code == 200, reply.text
        assert reply.headers["content-type"].startswith("application/xml")
        return bodies(reply.text)

    async def keys(self) -> list[str]:
        return list(await self.agent.tracker_store.keys())


def bodies(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def run(scenario: Callable[[Sms], Awaitable[None]], channel: SmsInput | None = None,
        wrapped: bool = True, **overrides: Any) -> None:
    async def main() -> None:
        agent = make_agent(wrapped)
        rasa = FakeRasa(agent)
        sms = channel or SmsInput(settings(**overrides), AUTH_TOKEN, PUBLIC_URL)
        async with serve(sms, rasa, agent) as base, httpx.AsyncClient(base_url=base,
                                                                     timeout=10) as client:
            await scenario(Sms(client, rasa, agent, sms))

    asyncio.run(main())


def test_requests_without_a_valid_twilio_signature_are_refused():
    async def scenario(sms: Sms) -> None:
        form = twilio_form("hello")
        tampered = dict(form, Body="hello, it's me")
        attempts = [
            (form, None),                                          # no signature at all
            (form, ""),
            (form, "bm90IGEgc2lnbmF0dXJl"),                        # made up
            (form, sign(form, token="someone-elses-token")),       # wrong account
            (form, sign(form, url="https://evil.example/hook")),   # signed for another URL
            (tampered, sign(form)),                                # body changed after signing
            (dict(form, From=OTHER_PHONE), sign(form)),            # sender swapped
        ]
        for body, signature in attempts:
            reply = await sms.post(body, signature)
            assert reply.status_code == 403, (body, signature)
            assert "Message" not in reply.text
        json_reply = await sms.client.post("/webhooks/sms/webhook", json=form,
                                           headers={"X-Twilio-Signature": sign(form)})
        assert json_reply.status_code == 403
        assert sms.rasa.received == []
        assert await sms.keys() == []

    run(scenario)


def test_a_signed_text_gets_twiml_with_the_sms_wording():
    async def scenario(sms: Sms) -> None:
        replies = await sms.text("hello")
        assert sms.rasa.texts == ["hello"]
        assert sms.rasa.received[0].input_channel == "sms"
        # Rasa picked the `channel: sms` variant because the output channel is named "sms".
        assert replies[0].startswith(text_of("utter_greet", "sms"))
        assert "Text EXIT" in replies[0]
        assert all(is_gsm7(body) for body in replies)

    run(scenario)


def test_emoji_and_markup_are_stripped():
    async def scenario(sms: Sms) -> None:
        replies = await sms.text(EMOJI_TEXT)
        assert replies == ["Hello you are not alone - call 0808 2000 247"]
        assert is_gsm7(replies[0])

    run(scenario)


def test_buttons_become_numbered_reply_lines_and_a_digit_sends_the_payload():
    async def scenario(sms: Sms) -> None:
        text = "\n".join(await sms.text("hello"))
        assert "Reply 1 for Being controlled or put down" in text
        assert "Reply 2 for Being hurt or hit" in text
        assert "Reply 3 for Finding support" in text

        await sms.text("3")
        assert sms.rasa.texts[-1] == "/find_support"
        # That answer offered no choices: a digit is just a digit again.
        await sms.text("3")
        assert sms.rasa.texts[-1] == "3"

        await sms.text("hello")
        await sms.text(" 1. ")
        assert sms.rasa.texts[-1] == "/coercive_control"

        # Choices belong to the conversation they were offered to.
        await sms.text("hello")
        await sms.text("2", sender=OTHER_PHONE)
        assert sms.rasa.texts[-1] == "2"
        await sms.text("7")
        assert sms.rasa.texts[-1] == "7"

    run(scenario)


def test_a_long_reply_is_split_into_messages_of_at_most_three_segments():
    async def scenario(sms: Sms) -> None:
        replies = await sms.text(LONG_TEXT)
        assert len(replies) >= 2
        assert all(1 <= segment_count(body) <= 3 for body in replies)
        sent = " ".join(replies).split()
        expected = "\n".join(text_of(name, "sms") for name in (
            "utter_safe_contact", "utter_safe_places", "utter_services_outro", "utter_iamabot",
            "utter_services_intro_national")).split()
        assert sent == expected  # nothing lost, nothing reordered
        # Split where a reader pauses: every message ends at the end of a sentence.
        assert all(re.search(r"[.?!]$", body) for body in replies), replies

    run(scenario)


def test_the_emergency_response_comes_first():
    async def scenario(sms: Sms) -> None:
        replies = await sms.text(DANGER_TEXT)
        assert replies[0].startswith(text_of("utter_emergency", "sms"))
        assert text_of("utter_after_emergency", "sms") in "\n".join(replies)
        assert all(segment_count(body) <= 3 for body in replies)

    run(scenario)


def test_a_slow_bot_still_answers_in_time_with_danger_first():
    async def scenario(sms: Sms) -> None:
        replies = await sms.text(SLOW_TEXT)
        assert text_of("utter_service_unavailable", "sms") in "\n".join(replies)

    run(scenario, reply_timeout_seconds=0.3)


@pytest.mark.parametrize(("word", "wrapped"), [
    ("EXIT", True), ("exit", True), (" Delete ", True), ("DELETE!", True),
    ("EXIT", False),  # a store used directly, not through Rasa's FailSafeTrackerStore
])
def test_exit_or_delete_forgets_the_conversation(word: str, wrapped: bool):
    async def scenario(sms: Sms) -> None:
        await sms.text("hello")
        keys = await sms.keys()
        assert len(keys) == 1
        replies = await sms.text(word)
        assert await sms.keys() == []
        assert replies == [text_of("utter_quick_exit", "sms")]
        assert "delete this thread on your phone" in replies[0]
        assert sms.rasa.texts == ["hello"]  # the keyword never reached Rasa
        assert keys[0] not in sms.channel.offered
        await sms.text("1")
        assert sms.rasa.texts[-1] == "1"  # the old choices went with it

    run(scenario, wrapped=wrapped)


def test_quick_exit_understood_by_rasa_also_clears_the_choices():
    async def scenario(sms: Sms) -> None:
        await sms.text("hello")
        replies = await sms.text("delete everything")
        assert replies == [text_of("utter_quick_exit", "sms")]
        assert await sms.keys() == []  # the tracker store deletes on a quick_exit turn
        await sms.text("2")
        assert sms.rasa.texts[-1] == "2"

    run(scenario)


def test_help_gets_the_sms_greeting_without_asking_rasa_and_danger_first():
    async def scenario(sms: Sms) -> None:
        # A bare "help" is a danger signal (bot.safety.danger): 999 and Silent Solution lead.
        replies = await sms.text("Help")
        assert replies[0].startswith(text_of("utter_emergency", "sms"))
        assert text_of("utter_greet", "sms") in "\n".join(replies)
        assert await sms.text("INFO") == [text_of("utter_greet", "sms")]
        assert sms.rasa.received == []

    run(scenario)


@pytest.mark.parametrize("word", ["STOP", "stop", "Unsubscribe", "START", "unstop"])
def test_twilio_opt_out_keywords_are_left_to_twilio(word: str):
    async def scenario(sms: Sms) -> None:
        await sms.text("hello")
        form = twilio_form(word)
        reply = await sms.post(form, sign(form))
        assert reply.status_code == 200
        assert bodies(reply.text) == []
        assert sms.rasa.texts == ["hello"]
        if word.upper() == "STOP" or word == "Unsubscribe":
            assert await sms.keys() == []  # no more texts, and nothing kept about them

    run(scenario)


def test_missing_or_empty_body_or_sender_is_a_bad_request():
    async def scenario(sms: Sms) -> None:
        for form in (twilio_form(None), twilio_form(""), twilio_form("   \n"),
                     twilio_form("hello", sender=None), twilio_form("hello", sender="")):
            reply = await sms.post(form, sign(form))
            assert reply.status_code == 400, form
        assert sms.rasa.received == []

    run(scenario)


def test_the_phone_number_is_never_stored_or_logged(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    digits = PHONE.lstrip("+")

    async def scenario(sms: Sms) -> None:
        await sms.text("hello")
        await sms.text("2")
        await sms.text(DANGER_TEXT)
        keys = await sms.keys()
        assert len(keys) == 1 and keys[0].startswith("sms-")
        assert all(m.sender_id == keys[0] for m in sms.rasa.received)
        tracker = await sms.agent.tracker_store.retrieve(keys[0])
        assert digits not in str(tracker.current_state())
        form = twilio_form("hello")
        await sms.post(form, sign(form, token="forged"))  # a refusal is logged too
        await sms.text("EXIT")

    run(scenario)
    assert "refused a request" in caplog.text
    assert digits not in caplog.text
    assert digits[-10:] not in caplog.text


def test_the_same_number_always_gets_the_same_key_and_numbers_never_share_one():
    async def scenario(sms: Sms) -> None:
        await sms.text("hello")
        await sms.text("hello again")
        await sms.text("hello", sender=OTHER_PHONE)
        assert len({m.sender_id for m in sms.rasa.received}) == 2
        assert len(await sms.keys()) == 2

    run(scenario)


def test_without_credentials_the_channel_is_disabled_with_one_log_line(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.setenv("SMS_PUBLIC_URL", PUBLIC_URL)
    caplog.set_level(logging.DEBUG)
    channel = SmsInput.from_credentials(None)

    async def scenario(sms: Sms) -> None:
        form = twilio_form("hello")
        for _ in range(3):
            reply = await sms.post(form, sign(form))
            assert reply.status_code == 503
        assert (await sms.client.get("/webhooks/sms/")).json() == {"status": "disabled"}
        assert sms.rasa.received == []

    run(scenario, channel=channel)
    ours = [r for r in caplog.records if r.name.startswith("bot.channels")]
    assert len(ours) == 1
    assert ours[0].levelno == logging.WARNING
    assert "TWILIO_AUTH_TOKEN" in ours[0].getMessage()


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("SMS_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("SENDER_HASH_KEY", "from-the-environment")
    channel = SmsInput.from_credentials({"auth_token": "ignored"})
    assert channel.name() == "sms" and channel.enabled

    async def scenario(sms: Sms) -> None:
        assert await sms.text("hello")
        assert (await sms.client.get("/webhooks/sms/")).json() == {"status": "ok"}

    run(scenario, channel=channel)
    monkeypatch.delenv("SMS_PUBLIC_URL")
    assert not SmsInput.from_credentials(None).enabled


def test_over_the_rate_limit_rasa_gets_the_wait_marker_but_danger_always_passes():
    from bot.channels.input_guard import REFUSED_RATE

    async def scenario(sms: Sms) -> None:
        await sms.text("hello")
        await sms.text("my ex follows me")
        await sms.text("what can i do about it")  # third message in the minute: over the limit
        await sms.text("he has a knife")  # danger is never held back
        assert sms.rasa.texts == ["hello", "my ex follows me", REFUSED_RATE, "he has a knife"]

    run(scenario, rate_limit_per_minute=2)


def test_a_replayed_twilio_request_is_answered_once():
    """Twilio retries with the same MessageSid; 25 copies must not give 25 replies."""
    async def scenario(sms: Sms) -> None:
        form = twilio_form("hello")
        signature = sign(form)
        first = await sms.post(form, signature)
        assert bodies(first.text)
        for _ in range(24):
            again = await sms.post(form, signature)
            assert again.status_code == 200
            assert bodies(again.text) == []
        assert sms.rasa.texts == ["hello"]
        # The sender's own next message is not refused as "too fast" because of the replays.
        assert await sms.text("hello again")
        assert sms.rasa.texts == ["hello", "hello again"]

    run(scenario)


# ---- service cards ---------------------------------------------------------------------------

def _card_bodies(replies: list[str], names: list[str]) -> list[str]:
    return [body for body in replies if any(name in body for name in names)]


def test_a_list_of_services_arrives_as_compact_gsm7_texts():
    async def scenario(sms: Sms) -> None:
        replies = await sms.text(SERVICES_TEXT)
        # As a basic phone shows them: markup-like words dropped, letters GSM-7 has kept.
        names = ["Example & Support", "Zoe's Place", "Name Only Service"]
        joined = "\n".join(replies)
        for name in names:
            assert joined.count(name) == 1, name  # "Zoe": the e with diaeresis is not GSM-7
        assert all(is_gsm7(body) and segment_count(body) <= 3 for body in replies)
        assert len(_card_bodies(replies, names)) == 1  # three services, one text
        assert len(replies) <= 2  # intro, cards and outro share as few texts as fit
        # Each card: name, number, hours (and the website while it fits); no description.
        assert "Example & Support\n020 7946 0123\nMon-Fri 9am-5pm\n" in joined
        assert "020 7946 0456" in joined and "Open 24 hours" in joined
        assert "Advice for people in" not in joined and "A made-up service." not in joined
        assert joined.index(text_of("utter_services_intro_national", "sms")[:40]) < joined.index(
            names[0]) < joined.index(text_of("utter_services_outro", "sms")[:40])

    run(scenario)


def test_many_services_arrive_as_at_most_two_texts_with_every_number():
    async def scenario(sms: Sms) -> None:
        cards = many_cards()
        replies = await sms.text(MANY_SERVICES_TEXT)
        names = [card["name"] for card in cards]
        carrying = _card_bodies(replies, names)
        assert 1 <= len(carrying) <= 2, carrying
        assert all(is_gsm7(body) and segment_count(body) <= 3 for body in replies)
        joined = "\n".join(replies)
        kept = [card for card in cards if card["name"] + "\n" in joined]
        assert len(kept) >= 5  # the first cards, each still with its number
        assert all(card["phone"] in joined for card in kept)
        assert "https://" not in joined and "long description" not in joined

    run(scenario)


def test_card_texts_drop_websites_then_hours_before_any_service():
    from bot.channels.sms_cards import card_texts

    few = card_texts(CARDS)
    assert len(few) == 1 and CARDS[0]["website"] in few[0]
    assert few[0].startswith("Example & Support\n020 7946 0123\nMon-Fri 9am-5pm")
    # Too many for two texts with websites: websites go, every service and number stays.
    eight = many_cards(8)
    texts = card_texts(eight)
    assert len(texts) <= 2 and all(segment_count(t) <= 3 for t in texts)
    assert "https://" not in "".join(texts)
    assert all(card["phone"] in "".join(texts) for card in eight)
    # A service without a number keeps its website: it is the only way in.
    no_phone = {"name": "Web Only Service", "website": "https://web-only.example.org"}
    texts = card_texts([*eight, no_phone])
    assert "Web Only Service\nhttps://web-only.example.org" in "".join(texts)
    # A message that is not a card is untouched by the card rendering.
    from bot.channels.sms import render

    blocks, _ = render([{"text": "Hello"}, card_message(CARDS[2]), {"text": "Bye"}])
    assert blocks == ["Hello", "Name Only Service", "Bye"]
