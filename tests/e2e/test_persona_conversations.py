"""Multi-turn conversations from personas, played through the real running stack.

Each file in tests/conversations/ holds conversations written from a person's point of view
(a man hit by his wife, a friend, a 15-year-old, someone who types "hes back gtg"), with what
each turn's replies must and must not contain. They run through the real Rasa server, model,
action server and SQLite directory, over the web channel, signed Twilio requests, or Telegram
updates with the secret header, exactly as people's messages arrive.
"""

from __future__ import annotations

import itertools
import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Stack, new_tab_id

pytestmark = pytest.mark.e2e

CONVERSATIONS = Path(__file__).resolve().parents[1] / "conversations"
TURN_KEYS = {"user", "first", "must", "must_not", "any", "exit"}
CONVERSATION_KEYS = {"id", "persona", "channel", "turns"}
CHANNELS = {"web", "sms", "telegram"}
_telegram_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)


@dataclass
class Reply:
    texts: list[str]
    left: bool

    @property
    def joined(self) -> str:
        return "\n".join(self.texts)


@dataclass
class Conversation:
    id: str
    persona: str
    channel: str
    turns: list[dict[str, Any]] = field(default_factory=list)


def load_conversations() -> list[Conversation]:
    found: list[Conversation] = []
    for path in sorted(CONVERSATIONS.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.append(Conversation(str(raw["id"]), str(raw.get("persona", "")),
                                      str(raw.get("channel", "web")), list(raw["turns"])))
    return found


def _web(stack: Stack, sender: str, text: str) -> Reply:
    replies = stack.web(sender, text)
    return Reply([r.get("text", "") for r in replies if r.get("text")],
                 any(r.get("quick_exit") for r in replies))


def _sms(stack: Stack, number: str, text: str) -> Reply:
    reply = stack.sms(number, text)
    assert reply.status_code == 200, reply.text
    texts = [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]
    return Reply(texts, any("deleted" in t.lower() for t in texts))


def _telegram(stack: Stack, chat_id: int, text: str) -> Reply:
    from telegram import Chat, Message, Update, User

    before = len(stack.telegram_api.of("sendMessage"))
    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    message = Message(message_id=next(_telegram_ids), date=datetime.now(tz=timezone.utc), chat=chat,
                      from_user=User(id=chat_id, first_name="A", is_bot=False), text=text)
    update = Update(update_id=next(_telegram_ids), message=message).to_dict()
    assert stack.telegram(update).status_code == 200
    texts = [c.params.get("text", "") for c in stack.telegram_api.of("sendMessage")[before:]
             if int(c.params["chat_id"]) == chat_id]
    return Reply(texts, any("deleted" in t.lower() for t in texts))


def _sender(channel: str) -> Any:
    if channel == "sms":
        return "+4477009" + "".join(secrets.choice("0123456789") for _ in range(5))
    if channel == "telegram":
        return 700_000_000 + secrets.randbelow(100_000_000)
    return new_tab_id()


SEND = {"web": _web, "sms": _sms, "telegram": _telegram}


def check_turn(conversation: Conversation, number: int, turn: dict[str, Any], reply: Reply) -> None:
    where = (f"[{conversation.id}] {conversation.persona}\nturn {number}: {turn['user']!r}\n"
             "replies:\n  " + "\n  ".join(reply.texts))
    assert reply.texts or reply.left, f"no reply at all\n{where}"
    lowered = reply.joined.lower()
    if turn.get("exit"):
        assert reply.left, f"the person asked to leave and was not taken away\n{where}"
    first = reply.texts[0].lower() if reply.texts else ""
    for needed in turn.get("first") or []:
        assert needed.lower() in first, f"first reply lacks {needed!r}\n{where}"
    for needed in turn.get("must") or []:
        assert needed.lower() in lowered, f"missing {needed!r}\n{where}"
    for forbidden in turn.get("must_not") or []:
        assert forbidden.lower() not in lowered, f"must not say {forbidden!r}\n{where}"
    for options in turn.get("any") or []:
        assert any(o.lower() in lowered for o in options), f"none of {options!r}\n{where}"
    assert "that's fine" not in lowered, f"'That's fine' to a person asking for help\n{where}"


ALL = load_conversations()


@pytest.mark.parametrize("conversation", ALL, ids=[c.id for c in ALL])
def test_conversation(stack: Stack, conversation: Conversation) -> None:
    send = SEND[conversation.channel]
    sender = _sender(conversation.channel)
    for number, turn in enumerate(conversation.turns, start=1):
        check_turn(conversation, number, turn, send(stack, sender, str(turn["user"])))


def test_the_conversation_files_are_well_formed() -> None:
    ids = [c.id for c in ALL]
    assert len(ids) == len(set(ids)), "conversation ids must be unique"
    assert len(ALL) >= 120, f"only {len(ALL)} conversations"
    for path in sorted(CONVERSATIONS.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            assert set(raw) <= CONVERSATION_KEYS, (path.name, raw.get("id"), set(raw) - CONVERSATION_KEYS)
            assert raw.get("channel", "web") in CHANNELS, (path.name, raw["id"])
            assert raw["turns"], (path.name, raw["id"])
            for turn in raw["turns"]:
                assert set(turn) <= TURN_KEYS and "user" in turn, (path.name, raw["id"], turn)
