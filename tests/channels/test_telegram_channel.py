"""The Telegram channel over real HTTP, replying through python-telegram-bot to a fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import count
from typing import Any

import httpx
import pytest
from channel_harness import (
    CARDS,
    DANGER_TEXT,
    LONG_PAYLOAD,
    LONG_PAYLOAD_TEXT,
    SERVICES_TEXT,
    FakeBotApi,
    FakeRasa,
    card_message,
    domain,
    fake_bot_api,
    make_agent,
    serve,
    settings,
    text_of,
)
from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from bot.channels.telegram import SECRET_HEADER, TelegramInput, command

BOT_TOKEN = "123456789:AAHfakefakefakefakefakefakefakefake0"
SECRET = "webhook-secret_for-tests"
CHAT_ID = 734_219_958
OTHER_CHAT_ID = 912_345_678
_update_ids = count(10_000)
_message_ids = count(1)


@pytest.fixture(scope="module")
def bot_api() -> Iterator[FakeBotApi]:
    with fake_bot_api() as api:
        yield api


def _user(chat_id: int) -> User:
    return User(id=chat_id, first_name="A", is_bot=False)


def message_update(text: str | None, chat_id: int = CHAT_ID, chat_type: str = Chat.PRIVATE,
                   update_id: int | None = None) -> dict[str, Any]:
    """An update as Telegram sends it, built with python-telegram-bot's own classes."""
    chat = Chat(id=chat_id, type=chat_type)
    message = Message(message_id=next(_message_ids), date=datetime.now(tz=timezone.utc),
                      chat=chat, from_user=_user(chat_id), text=text)
    return Update(update_id=update_id or next(_update_ids), message=message).to_dict()


def button_press(data: str, chat_id: int = CHAT_ID,
                 keyboard: InlineKeyboardMarkup | None = None) -> dict[str, Any]:
    """A callback_query update: someone pressed an inline button under one of our messages."""
    shown = Message(message_id=next(_message_ids), date=datetime.now(tz=timezone.utc),
                    chat=Chat(id=chat_id, type=Chat.PRIVATE), text="(the bot's question)",
                    reply_markup=keyboard)
    query = CallbackQuery(id=f"cq{next(_update_ids)}", from_user=_user(chat_id),
                          chat_instance="ci-1", data=data, message=shown)
    return Update(update_id=next(_update_ids), callback_query=query).to_dict()


@dataclass
class Tg:
    client: httpx.AsyncClient
    rasa: FakeRasa
    agent: Any
    api: FakeBotApi
    channel: TelegramInput

    async def post(self, update: Any, secret: str | None = SECRET) -> httpx.Response:
        headers = {} if secret is None else {SECRET_HEADER: secret}
        return await self.client.post("/webhooks/telegram/webhook", json=update, headers=headers)

    async def send(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Post an update with the right secret; return the sendMessage calls it caused."""
        before = len(self.api.of("sendMessage"))
        reply = await self.post(update)
        assert reply.status_code == 200, reply.text
        return [c.params for c in self.api.of("sendMessage")[before:]]

    async def keys(self) -> list[str]:
        return list(await self.agent.tracker_store.keys())


def run(bot_api: FakeBotApi, scenario: Callable[[Tg], Awaitable[None]],
        channel: TelegramInput | None = None, **overrides: Any) -> None:
    bot_api.clear()
    bot_api.fail_with = None
    bot_api.refuse_html = False

    async def main() -> None:
        agent = make_agent()
        rasa = FakeRasa(agent)
        tg = channel or TelegramInput(settings(**overrides), BOT_TOKEN, SECRET,
                                      api_url=bot_api.api_url)
        async with serve(tg, rasa, agent) as base, httpx.AsyncClient(base_url=base,
                                                                     timeout=10) as client:
            await scenario(Tg(client, rasa, agent, bot_api, tg))

    asyncio.run(main())


def keyboard_of(sent: dict[str, Any]) -> list[tuple[str, str]]:
    rows = sent.get("reply_markup", {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def test_a_wrong_or_missing_secret_is_refused(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        update = message_update("hello")
        for secret in (None, "", "wrong-secret", SECRET + "x", SECRET[:-1]):
            reply = await tg.post(update, secret)
            assert reply.status_code == 403, secret
        assert tg.rasa.received == []
        assert tg.api.calls == []

    run(bot_api, scenario)


def test_a_message_is_answered_in_plain_text_with_an_inline_keyboard(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        sent = await tg.send(message_update("hello"))
        assert tg.rasa.texts == ["hello"]
        assert tg.rasa.received[0].input_channel == "telegram"
        assert [s["text"] for s in sent] == [text_of("utter_greet", "telegram"),
                                              text_of("utter_clarify", "telegram")]
        assert "/exit" in sent[0]["text"]  # the telegram variant, picked by the channel name
        assert all(int(s["chat_id"]) == CHAT_ID for s in sent)
        assert all("parse_mode" not in s for s in sent)
        assert all(s["link_preview_options"] == {"is_disabled": True} for s in sent)
        assert "reply_markup" not in sent[0]
        assert keyboard_of(sent[1]) == [
            ("Being controlled or put down", "/coercive_control"),
            ("Being hurt or hit", "/physical_abuse"),
            ("Finding support", "/find_support"),
        ]
        assert {c.token for c in tg.api.calls} == {BOT_TOKEN}

    run(bot_api, scenario)


def test_a_redelivered_update_is_answered_once(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        update = message_update("hello")
        first = await tg.send(update)
        again = await tg.send(update)
        assert first and again == []
        assert tg.rasa.texts == ["hello"]

    run(bot_api, scenario)


def test_a_button_press_sends_its_payload_and_is_acknowledged(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        await tg.send(message_update("hello"))  # the reply offers "Finding support"
        press = button_press("/find_support")
        sent = await tg.send(press)
        assert tg.rasa.texts == ["hello", "/find_support"]
        assert [c.params["callback_query_id"] for c in tg.api.of("answerCallbackQuery")] == [
            press["callback_query"]["id"]]
        assert sent[0]["text"] == text_of("utter_offer_location", "telegram")

    run(bot_api, scenario)


def test_a_payload_never_offered_is_read_as_words(bot_api: FakeBotApi):
    """Only a button this conversation was shown may steer the bot by intent name."""
    async def scenario(tg: Tg) -> None:
        await tg.send(button_press("/find_support"))
        await tg.send(message_update('/inform_location{"location": "Lewisham"}'))
        assert tg.rasa.texts == ["find support", "Lewisham"]

    run(bot_api, scenario)


def test_a_payload_too_long_for_callback_data_goes_by_token(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        sent = await tg.send(message_update(LONG_PAYLOAD_TEXT))
        (title, data), short = keyboard_of(sent[-1])
        assert title == "Kensington" and len(LONG_PAYLOAD.encode()) > 64
        assert data.startswith("#") and len(data.encode()) <= 64
        assert short == ("Finding support", "/find_support")

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=data)]])
        # Pressed in another chat, the token means nothing (and is not its payload).
        await tg.send(button_press(data, chat_id=OTHER_CHAT_ID))
        assert tg.rasa.texts[-1] != LONG_PAYLOAD
        await tg.send(button_press(data, keyboard=keyboard))
        assert tg.rasa.texts[-1] == LONG_PAYLOAD

        # Once forgotten, the press still says something: the button's own title.
        await tg.send(message_update("/exit"))
        await tg.send(button_press(data, keyboard=keyboard))
        assert tg.rasa.texts[-1] == "Kensington"

    run(bot_api, scenario)


def test_exit_forgets_the_conversation_and_explains_deleting_the_chat(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        await tg.send(message_update("hello"))
        assert len(await tg.keys()) == 1
        sent = await tg.send(message_update("/exit"))
        assert await tg.keys() == []
        assert [s["text"] for s in sent] == [text_of("utter_quick_exit", "telegram")]
        assert "Delete chat" in sent[0]["text"] and "auto-delete" in sent[0]["text"]
        assert tg.rasa.texts == ["hello"]  # the command never reached Rasa

    run(bot_api, scenario)


def test_start_greets_through_rasa_and_help_answers_from_the_domain(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        await tg.send(message_update("/start"))
        await tg.send(message_update("/start@SignpostBot deep-link"))
        assert tg.rasa.texts == ["hello", "hello"]
        sent = await tg.send(message_update("/help"))
        assert [s["text"] for s in sent] == [text_of("utter_greet", "telegram"),
                                              text_of("utter_safe_contact", "telegram")]
        assert tg.rasa.texts == ["hello", "hello"]
        await tg.send(message_update("/restart everything"))
        await tg.send(message_update('/quick_exit{"x": 1}'))
        # Other commands are not intents: the guard strips the slash.
        assert tg.rasa.texts[-2:] == ["restart everything", 'quick_exit{"x": 1}']

    run(bot_api, scenario)


def test_the_emergency_goes_first(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        sent = await tg.send(message_update(DANGER_TEXT))
        assert [s["text"] for s in sent] == [text_of("utter_emergency", "telegram"),
                                              text_of("utter_after_emergency", "telegram")]

    run(bot_api, scenario)


def test_groups_and_non_text_messages(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        for chat_type in (Chat.GROUP, Chat.SUPERGROUP):
            assert await tg.send(message_update("hello", chat_type=chat_type)) == []
        assert tg.rasa.received == []
        # A sticker or photo has no text: Rasa gets the refusal marker, never None.
        await tg.send(message_update(None))
        assert tg.rasa.texts == ['/nlu_fallback{"refused_empty": "yes"}']

    run(bot_api, scenario)


def test_malformed_bodies_are_refused(bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        headers = {SECRET_HEADER: SECRET, "content-type": "application/json"}
        for body in (b"not json", b"[]", b'{"message": {}}', b'{"update_id": "x"}'):
            reply = await tg.client.post("/webhooks/telegram/webhook", content=body,
                                         headers=headers)
            assert reply.status_code == 400, body
        assert tg.rasa.received == []

    run(bot_api, scenario)


def test_a_failing_bot_api_does_not_fail_the_webhook(bot_api: FakeBotApi,
                                                     caplog: pytest.LogCaptureFixture):
    async def scenario(tg: Tg) -> None:
        tg.api.fail_with = "Forbidden: bot was blocked by the user"
        reply = await tg.post(message_update("hello"))
        assert reply.status_code == 200  # or Telegram would redeliver it again and again
        assert len(tg.api.of("sendMessage")) == 1  # the rest were not attempted

    run(bot_api, scenario)
    assert "sendMessage failed: Forbidden" in caplog.text


def test_chat_ids_text_and_the_token_never_reach_keys_or_logs(
        bot_api: FakeBotApi, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO)  # production level: httpx logs every request URL
    caplog.set_level(logging.DEBUG, logger="bot.channels")
    secret_words = "my partner reads my messages"

    async def scenario(tg: Tg) -> None:
        await tg.send(message_update("hello"))
        await tg.send(button_press("/find_support"))
        await tg.send(message_update(secret_words))
        assert (await tg.post(message_update("hello"), secret="wrong")).status_code == 403
        keys = await tg.keys()
        assert len(keys) == 1 and keys[0].startswith("telegram-")
        assert str(CHAT_ID) not in keys[0]
        assert {m.sender_id for m in tg.rasa.received} == set(keys)

    run(bot_api, scenario)
    assert "HTTP Request" in caplog.text  # httpx did log the calls...
    assert BOT_TOKEN not in caplog.text  # ...without the token
    assert BOT_TOKEN.split(":")[1] not in caplog.text
    assert str(CHAT_ID) not in caplog.text
    assert secret_words not in caplog.text


def test_without_credentials_the_channel_is_disabled_with_one_log_line(
        bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.delenv("TELEGRAM_SECRET_TOKEN", raising=False)
    caplog.set_level(logging.DEBUG)
    channel = TelegramInput.from_credentials(None)

    async def scenario(tg: Tg) -> None:
        for secret in (SECRET, "", None):
            reply = await tg.post(message_update("hello"), secret)
            assert reply.status_code == 503
        assert (await tg.client.get("/webhooks/telegram/")).json() == {"status": "disabled"}
        assert tg.rasa.received == [] and tg.api.calls == []

    run(bot_api, scenario, channel=channel)
    ours = [r for r in caplog.records if r.name.startswith("bot.channels")]
    assert len(ours) == 1
    assert "TELEGRAM_SECRET_TOKEN" in ours[0].getMessage()
    assert BOT_TOKEN not in caplog.text


def test_a_secret_telegram_would_reject_disables_the_channel(caplog: pytest.LogCaptureFixture):
    channel = TelegramInput(settings(), BOT_TOKEN, "has spaces!")
    assert not channel.enabled
    assert "TELEGRAM_SECRET_TOKEN" in caplog.text


def test_credentials_come_from_the_environment(bot_api: FakeBotApi,
                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", SECRET)
    monkeypatch.setenv("TELEGRAM_API_URL", bot_api.api_url)
    channel = TelegramInput.from_credentials({"token": "ignored"})
    assert channel.name() == "telegram" and channel.enabled

    async def scenario(tg: Tg) -> None:
        assert await tg.send(message_update("hello"))
        assert (await tg.client.get("/webhooks/telegram/")).json() == {"status": "ok"}

    run(bot_api, scenario, channel=channel)


def test_commands_are_recognised_as_telegram_writes_them():
    assert command("/start") == "start"
    assert command("/Help@SignpostBot") == "help"
    assert command("/exit now") == "exit"
    assert command("exit") is None and command("/") is None and command(None) is None


# ---- service cards ---------------------------------------------------------------------------

def _labels() -> dict[str, str]:
    return domain().responses["utter_services_outro"][0]["custom"]["service_card_labels"]


def _visible_text(html_text: str) -> str:
    """What Telegram shows for an HTML parse-mode text: tags dropped, entities read."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: list[str] = []
            self.parts: list[str] = []

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    reader = Reader()
    reader.feed(html_text)
    reader.close()
    assert set(reader.tags) <= {"b"}, reader.tags  # only our bold name is markup
    return "".join(reader.parts)


def test_a_service_card_is_one_html_message_with_a_bold_name_and_labelled_lines(
        bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        sent = await tg.send(message_update(SERVICES_TEXT))
        labels = _labels()
        # Intro, three cards, outro: one message each, in order.
        assert len(sent) == 5
        intro, first, second, name_only, outro = sent
        for plain in (intro, outro):
            assert "parse_mode" not in plain  # other replies stay plain text
        assert intro["text"] == text_of("utter_services_intro_national", "telegram")
        for card in (first, second, name_only):
            assert card["parse_mode"] == "HTML"
            assert card["link_preview_options"] == {"is_disabled": True}

        # Every directory value escaped: the name's "<Advice> & " is text, not markup.
        assert first["text"].startswith("<b>Example &lt;Advice&gt; &amp; Support</b>\n")
        assert _visible_text(first["text"]).splitlines() == [
            "Example <Advice> & Support",
            f"{labels['phone']}: 020 7946 0123",
            f"{labels['hours']}: Mon\u2013Fri 9am-5pm",
            f"{labels['description']}: Advice for people in <Lewisham> & nearby.",
            f"{labels['last_confirmed']}: 2026-10-01",
        ]
        # Its https website is a button (python-telegram-bot reads the markup back).
        markup = InlineKeyboardMarkup.de_json(first["reply_markup"], tg.channel.bot())
        (button,), = markup.inline_keyboard
        assert button.url == CARDS[0]["website"] and button.text == labels["website"]
        assert button.callback_data is None

        # A website that is not https is shown as text, never as a button.
        assert "reply_markup" not in second
        assert f"{labels['website']}: http://example.net/not-secure" in _visible_text(second["text"])
        assert labels["last_confirmed"] not in second["text"]  # nobody confirmed it
        assert _visible_text(name_only["text"]).splitlines() == [
            "Name Only Service", f"{labels['description']}: Contact through the helpline."]

    run(bot_api, scenario)


def test_a_huge_card_still_fits_one_message_with_its_name_and_number():
    from bot.channels.telegram_cards import MAX_TEXT_UNITS, card_html, utf16_units

    card = dict(CARDS[0], description="\U0001f4de <too> & long " * 800)
    text = card_html(card, _labels())
    assert utf16_units(text) <= MAX_TEXT_UNITS < utf16_units(card["description"]) * 2
    lines = _visible_text(text).splitlines()
    assert lines[:2] == ["Example <Advice> & Support", f"{_labels()['phone']}: 020 7946 0123"]
    about = next(line for line in lines if line.startswith(_labels()["description"]))
    assert about.endswith("...")  # shortened, and the escaping still whole


def test_a_card_telegram_refuses_as_html_is_sent_as_plain_text_and_the_rest_follows(
        bot_api: FakeBotApi):
    async def scenario(tg: Tg) -> None:
        tg.api.refuse_html = True
        sent = await tg.send(message_update(SERVICES_TEXT))
        refused = [s for s in sent if s.get("parse_mode") == "HTML"]
        arrived = [s["text"] for s in sent if s.get("parse_mode") is None]
        assert len(refused) == 3  # each card was tried as HTML first
        # Every message still arrives, in order; the cards as the plain text beside them.
        assert arrived == [text_of("utter_services_intro_national", "telegram"),
                           *(card_message(card)["text"] for card in CARDS),
                           text_of("utter_services_outro", "telegram")]

    run(bot_api, scenario)
