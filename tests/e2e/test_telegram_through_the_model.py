"""Telegram through the real model: secret-checked webhook, replies through python-telegram-bot's
Bot to a fake Bot API on loopback, danger first, /exit forgets."""

from __future__ import annotations

import itertools
import time
from datetime import datetime, timezone

import pytest
from telegram import Chat, Message, Update, User

from tests.support.stack import Stack

pytestmark = pytest.mark.e2e
_ids = itertools.count(int(time.time()))


def update(chat_id: int, text: str) -> dict:
    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    message = Message(message_id=next(_ids), date=datetime.now(tz=timezone.utc), chat=chat,
                      from_user=User(id=chat_id, first_name="A", is_bot=False), text=text)
    return Update(update_id=next(_ids), message=message).to_dict()


def sent_to(stack: Stack, chat_id: int) -> list[str]:
    return [c.params.get("text", "") for c in stack.telegram_api.of("sendMessage")
            if int(c.params["chat_id"]) == chat_id]


def test_danger_by_telegram_gets_999_and_55_first(stack: Stack) -> None:
    chat_id = 880001
    assert stack.telegram(update(chat_id, "he is strangling me")).status_code == 200
    first = sent_to(stack, chat_id)[0]
    assert first.startswith("If you are in danger now, call 999") and "55" in first


def test_wrong_secret_is_refused_and_nothing_is_sent(stack: Stack) -> None:
    chat_id = 880002
    assert stack.telegram(update(chat_id, "hello"), secret="wrong").status_code == 403
    assert sent_to(stack, chat_id) == []


def test_exit_forgets_and_explains_delete_chat(stack: Stack) -> None:
    chat_id = 880003
    stack.telegram(update(chat_id, "my ex keeps turning up at my work"))
    stack.telegram(update(chat_id, "/exit"))
    assert any("Delete chat" in t for t in sent_to(stack, chat_id))
    before = len(sent_to(stack, chat_id))
    stack.telegram(update(chat_id, "lewisham"))
    after = "\n".join(sent_to(stack, chat_id)[before:])
    assert "support for Lewisham" in after, after
    assert "0808 802 0300" not in after, "the stalking topic survived /exit"


def test_chat_ids_never_reach_the_logs(stack: Stack) -> None:
    stack.telegram(update(880004, "hello"))
    assert stack.log_path is not None
    logged = stack.log_path.read_text(errors="replace")
    assert "880004" not in logged and stack.env["TELEGRAM_BOT_TOKEN"].split(":")[1] not in logged
