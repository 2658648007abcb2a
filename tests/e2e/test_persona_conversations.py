"""Multi-turn conversations from personas (issue 14), played through the real running stack.

tests/conversations/*.yml hold conversations written from a person's point of view (a man hit by
his wife, a daughter worried about her mum, a 15-year-old, someone who types "hes back gtg"),
with what each turn's replies must and must not contain. Each conversation runs through the
real Rasa server with our channels, the real model and action server and a real SQLite
directory (the session `stack` fixture, tests.support.stack), with a fresh sender of its own:
web turns through the web channel's webhook with the shared token, SMS turns as Twilio-signed
form posts (twilio's RequestValidator), Telegram turns as python-telegram-bot `Update` JSON with
the secret header (replies read from the fake Bot API at the network edge).

A turn's checks (all case-insensitive substrings):
  first     every one must be in the FIRST reply bubble (danger: "999" and "55")
  must      every one must be somewhere in this turn's replies
  must_not  none may appear in this turn's replies
  any       for each inner list, at least one must appear
  exit      true: web, the first bubble carries the quick-exit signal; SMS/Telegram, a reply
            says the conversation was deleted. false (web only): no bubble carries it.
Every turn: at least one non-empty reply, and never "That's fine".

Run: .venv/bin/python -m pytest -q -p no:cacheprovider tests/e2e/test_persona_conversations.py
One conversation: add -k <id>. On failure the persona, every turn so far and all reply texts
are printed, with every failed check of the conversation (later turns still run).
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.stack import Stack, new_tab_id

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = ROOT / "tests" / "conversations"
HELDOUT_AXES = ROOT / "tests" / "nlu_heldout_axes.yml"
TRAINING_DATA = ROOT / "data" / "nlu"

CONVERSATION_KEYS = {"id", "persona", "channel", "turns"}
TURN_KEYS = {"user", "first", "must", "must_not", "any", "exit"}
CHANNELS = ("web", "sms", "telegram")
MIN_CONVERSATIONS = 120
MAX_TURNS = 5
EVERY_TURN_MUST_NOT = ("that's fine",)

_telegram_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)
_used_senders: set[Any] = set()


# ---------------------------------------------------------------- the conversation files

@dataclass
class Conversation:
    id: str
    persona: str
    channel: str
    turns: list[dict[str, Any]]
    file: str


def load_conversations(directory: Path = CONVERSATIONS) -> list[Conversation]:
    found: list[Conversation] = []
    for path in sorted(directory.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.append(Conversation(str(raw.get("id")), str(raw.get("persona", "")),
                                      str(raw.get("channel", "web")), list(raw.get("turns") or []),
                                      path.name))
    return found


ALL = load_conversations()


# ---------------------------------------------------------------- talking to the stack

@dataclass
class Reply:
    """One turn's replies: each bubble's text in order, and whether it asked the page to leave."""

    texts: list[str]
    exit_flags: list[bool] = field(default_factory=list)
    says_deleted: bool = False

    @property
    def joined(self) -> str:
        return "\n".join(self.texts)

    @property
    def first(self) -> str:
        return self.texts[0] if self.texts else ""


def _fresh_sender(channel: str) -> Any:
    while True:
        if channel == "sms":
            # Ofcom's drama range 07700 900000-900999, away from the numbers other e2e tests use.
            sender: Any = f"+447700900{300 + secrets.randbelow(700):03d}"
        elif channel == "telegram":
            sender = 700_000_000 + secrets.randbelow(100_000_000)
        else:
            sender = new_tab_id()
        if sender not in _used_senders:
            _used_senders.add(sender)
            return sender


def _web(stack: Stack, sender: str, text: str) -> Reply:
    bubbles = stack.web(sender, text)
    return Reply([str(b.get("text") or "") for b in bubbles],
                 [bool(b.get("quick_exit")) for b in bubbles])


def _sms(stack: Stack, number: str, text: str) -> Reply:
    response = stack.sms(number, text)
    assert response.status_code == 200, f"SMS webhook answered {response.status_code}: {response.text[:300]}"
    texts = [m.text or "" for m in ET.fromstring(response.text).iter("Message")]
    return Reply(texts, says_deleted=any("deleted" in t.lower() for t in texts))


def _telegram_update(chat_id: int, text: str) -> dict:
    from telegram import Chat, Message, Update, User

    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    message = Message(message_id=next(_telegram_ids), date=datetime.now(tz=timezone.utc), chat=chat,
                      from_user=User(id=chat_id, first_name="A", is_bot=False), text=text)
    return Update(update_id=next(_telegram_ids), message=message).to_dict()


def _telegram_sent(stack: Stack, chat_id: int) -> list[str]:
    return [str(c.params.get("text", "")) for c in stack.telegram_api.of("sendMessage")
            if int(c.params["chat_id"]) == chat_id]


def _telegram(stack: Stack, chat_id: int, text: str) -> Reply:
    before = len(_telegram_sent(stack, chat_id))
    response = stack.telegram(_telegram_update(chat_id, text))
    assert response.status_code == 200, f"Telegram webhook answered {response.status_code}"
    deadline = time.monotonic() + 5  # replies are sent before the webhook answers; a margin
    while len(_telegram_sent(stack, chat_id)) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    texts = _telegram_sent(stack, chat_id)[before:]
    return Reply(texts, says_deleted=any("deleted" in t.lower() for t in texts))


SEND = {"web": _web, "sms": _sms, "telegram": _telegram}


# ---------------------------------------------------------------- the checks

def turn_failures(channel: str, turn: dict[str, Any], reply: Reply) -> list[str]:
    """Every check of one turn that the replies fail (empty when the turn passes)."""
    failed: list[str] = []
    lowered = reply.joined.lower()
    first = reply.first.lower()
    left_web = bool(reply.exit_flags) and reply.exit_flags[0]
    if not any(t.strip() for t in reply.texts) and not left_web:
        failed.append("no reply at all (or only empty bubbles)")
    wants_exit = turn.get("exit")
    if wants_exit is True:
        if channel == "web" and not left_web:
            where = "a later bubble" if any(reply.exit_flags) else "no bubble"
            failed.append(f"asked to leave the page: the first bubble must carry quick_exit ({where} did)")
        if channel != "web" and not reply.says_deleted:
            failed.append("asked to leave: no reply says the conversation was deleted")
    elif wants_exit is False and any(reply.exit_flags):
        failed.append("left the page, but the person did not ask to leave it")
    for needed in turn.get("first") or []:
        if needed.lower() not in first:
            failed.append(f"first bubble lacks {needed!r}")
    for needed in turn.get("must") or []:
        if needed.lower() not in lowered:
            failed.append(f"missing {needed!r}")
    for forbidden in [*(turn.get("must_not") or []), *EVERY_TURN_MUST_NOT]:
        if forbidden.lower() in lowered:
            failed.append(f"must not say {forbidden!r}")
    for options in turn.get("any") or []:
        if not any(option.lower() in lowered for option in options):
            failed.append(f"none of {options!r}")
    return failed


def transcript(conversation: Conversation, played: list[tuple[dict[str, Any], Reply, list[str]]]) -> str:
    lines = [f"[{conversation.id}] ({conversation.file}, {conversation.channel})",
             f"persona: {conversation.persona}"]
    for number, (turn, reply, failed) in enumerate(played, start=1):
        lines.append(f"turn {number}: {turn['user']!r}")
        for index, text in enumerate(reply.texts):
            flag = " [quick_exit]" if index < len(reply.exit_flags) and reply.exit_flags[index] else ""
            lines.append(f"    bot {index + 1}{flag}: {text}")
        if not reply.texts:
            lines.append("    (no reply)")
        lines.extend(f"  FAILED: {f}" for f in failed)
    return "\n".join(lines)


@pytest.mark.e2e
@pytest.mark.parametrize("conversation", ALL, ids=[c.id for c in ALL])
def test_conversation(stack: Stack, conversation: Conversation) -> None:
    send = SEND[conversation.channel]
    sender = _fresh_sender(conversation.channel)
    played: list[tuple[dict[str, Any], Reply, list[str]]] = []
    for turn in conversation.turns:
        reply = send(stack, sender, str(turn["user"]))
        played.append((turn, reply, turn_failures(conversation.channel, turn, reply)))
    failures = sum(len(f) for _, _, f in played)
    assert failures == 0, f"{failures} failed check(s)\n{transcript(conversation, played)}"


# ---------------------------------------------------------------- danger while rate-limited

FLOOD = 30
DANGER_WHILE_LIMITED = (
    "hes got a knife and hes coming at me",
    "he sed hes gona kil me rite now hes in the kitchen",
)


@pytest.mark.e2e
@pytest.mark.parametrize("channel", CHANNELS)
def test_danger_still_comes_first_when_rate_limited(stack: Stack, channel: str) -> None:
    """A person who has been sending fast (or a flood from someone else on their tab) still gets
    999 and the Silent Solution first when danger comes, misspelt or not."""
    send = SEND[channel]
    sender = _fresh_sender(channel)
    flood = [send(stack, sender, "hello") for _ in range(FLOOD)]
    limited = [r for r in flood if any(w in r.joined.lower() for w in ("faster", "wait", "too many", "slow down"))]
    assert limited, ("precondition: the flood was never rate-limited, so this test proves nothing\n"
                     + "\n".join(r.joined for r in flood[-3:]))
    for text in DANGER_WHILE_LIMITED:
        reply = send(stack, sender, text)
        first = reply.first.lower()
        assert "999" in first and "55" in first, (f"{channel}, rate-limited, {text!r}: first bubble lacks "
                                                  f"999 and 55\n" + "\n".join(reply.texts))


# ---------------------------------------------------------------- the files themselves

def _normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9£']+", text.lower().replace("\u2019", "'")))


def _training_examples() -> set[str]:
    """Every training example text (normalised), read without printing any of them."""
    found: set[str] = set()
    for path in sorted(TRAINING_DATA.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            examples = block.get("examples") if isinstance(block, dict) else None
            for line in str(examples or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    # Entity annotations [text](entity) read as their text.
                    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line[2:])
                    found.add(_normalise(plain))
    return found


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def test_the_conversation_files_are_well_formed() -> None:
    problems: list[str] = []
    ids = Counter(c.id for c in ALL)
    problems += [f"duplicate id {i!r} ({n} times)" for i, n in ids.items() if n > 1]
    personas = Counter(c.persona for c in ALL)
    problems += [f"persona used twice: {p!r}" for p, n in personas.items() if n > 1]
    if len(ALL) < MIN_CONVERSATIONS:
        problems.append(f"only {len(ALL)} conversations (at least {MIN_CONVERSATIONS})")
    for path in sorted(CONVERSATIONS.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            problems.append(f"{path.name}: not a list of conversations")
            continue
        for raw in data:
            where = f"{path.name}:{raw.get('id') if isinstance(raw, dict) else raw!r}"
            if not isinstance(raw, dict):
                problems.append(f"{where}: not a mapping")
                continue
            if set(raw) - CONVERSATION_KEYS:
                problems.append(f"{where}: unknown keys {sorted(set(raw) - CONVERSATION_KEYS)}")
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(raw.get("id", ""))):
                problems.append(f"{where}: id must be lower-case words joined by '-'")
            if not str(raw.get("persona") or "").strip():
                problems.append(f"{where}: no persona")
            channel = raw.get("channel", "web")
            if channel not in CHANNELS:
                problems.append(f"{where}: channel {channel!r} is not one of {CHANNELS}")
            turns = raw.get("turns")
            if not isinstance(turns, list) or not 1 <= len(turns) <= MAX_TURNS:
                problems.append(f"{where}: 1 to {MAX_TURNS} turns needed")
                continue
            for number, turn in enumerate(turns, start=1):
                at = f"{where} turn {number}"
                if not isinstance(turn, dict) or not str(turn.get("user") or "").strip():
                    problems.append(f"{at}: every turn needs a non-empty 'user'")
                    continue
                if set(turn) - TURN_KEYS:
                    problems.append(f"{at}: unknown keys {sorted(set(turn) - TURN_KEYS)}")
                for key in ("first", "must", "must_not"):
                    if key in turn and not _strings(turn[key]):
                        problems.append(f"{at}: {key} must be a list of non-empty strings")
                if "any" in turn and not (isinstance(turn["any"], list)
                                          and all(_strings(o) and o for o in turn["any"])):
                    problems.append(f"{at}: any must be a list of non-empty lists of strings")
                if "exit" in turn and not isinstance(turn["exit"], bool):
                    problems.append(f"{at}: exit must be true or false")
                if turn.get("exit") is False and channel != "web":
                    problems.append(f"{at}: exit: false can only be checked on the web")
                needed = {s.lower() for s in [*(turn.get("must") or []), *(turn.get("first") or [])]}
                clash = needed & {s.lower() for s in turn.get("must_not") or []}
                if clash:
                    problems.append(f"{at}: both required and forbidden: {sorted(clash)}")
    assert not problems, "\n".join(problems)


def test_every_channel_and_case_is_covered() -> None:
    channels = Counter(c.channel for c in ALL)
    assert channels["sms"] >= 10 and channels["telegram"] >= 10, channels
    markers = Counter(m.lower() for c in ALL for t in c.turns
                      for m in [*(t.get("first") or []), *(t.get("must") or [])])
    for marker in ("999", "55", "not your fault", "to help them", "0808 802 4040", "116 123",
                   "high risk", "havens", "0808 500 2222", "0808 801 0327", "0800 999 5428",
                   "0800 1111", "0808 808 8141", "interpret", "0808 2000 247", "deleted",
                   "30 minutes", "0808 800 4444", "diary", "documents", "non-molestation",
                   "under 18"):
        assert markers[marker] >= 2, f"the contract's marker {marker!r} is checked only {markers[marker]} time(s)"
    assert sum(1 for c in ALL for t in c.turns if t.get("exit") is True) >= 12
    assert sum(1 for c in ALL for t in c.turns if t.get("exit") is False) >= 3


def test_no_conversation_message_is_a_training_example() -> None:
    """The conversations judge the bot; a message copied into data/nlu would no longer test it.
    Messages of five words or more only (short ones like "Lewisham" or "help" are bound to occur)."""
    trained = _training_examples()
    copied = [f"{c.id}: {t['user']!r}" for c in ALL for t in c.turns
              if len(_normalise(str(t["user"])).split()) >= 5 and _normalise(str(t["user"])) in trained]
    assert not copied, "conversation messages found in data/nlu (write new ones there):\n" + "\n".join(copied)


# ---------------------------------------------------------------- tests/nlu_heldout_axes.yml

HELDOUT_KEYS = {"text", "intent", "speaker", "urgency", "audience", "exit"}
INTENTS = {
    "coercive_control", "physical_abuse", "sexual_violence", "economic_abuse", "tech_abuse",
    "harassment", "stalking", "fgm", "forced_marriage", "honour_based_abuse",
    "trafficking_exploitation", "perpetrator_help", "immediate_danger", "self_harm", "find_support",
    "inform_location", "safe_contact", "quick_exit", "ask_number", "ask_privacy", "ask_housing",
    "ask_leaving", "ask_money", "ask_immigration", "ask_children", "ask_law", "ask_evidence",
    "ask_how_to_help", "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "out_of_scope",
}
SPEAKERS = {"self", "other", "own_behaviour"}
URGENCY = {"danger_now", "high_risk", "suicide", "recent_sexual_assault"}
AUDIENCE = {"man", "lgbt_plus", "under_18", "older", "deaf", "disabled", "limited_english", "nrpf"}


def _heldout_rows() -> list[Any]:
    return yaml.safe_load(HELDOUT_AXES.read_text(encoding="utf-8")) or []


def test_the_heldout_axes_file_is_well_formed() -> None:
    rows = _heldout_rows()
    problems: list[str] = []
    if len(rows) < 350:
        problems.append(f"only {len(rows)} messages (at least 350)")
    texts = Counter(_normalise(str(r.get("text", ""))) for r in rows if isinstance(r, dict))
    problems += [f"duplicate text {t!r}" for t, n in texts.items() if n > 1]
    for row in rows:
        if not isinstance(row, dict) or set(row) != HELDOUT_KEYS:
            problems.append(f"{row!r}: needs exactly the keys {sorted(HELDOUT_KEYS)}")
            continue
        text = row["text"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{row!r}: empty text")
        if row["intent"] not in INTENTS:
            problems.append(f"{text!r}: unknown intent {row['intent']!r}")
        if row["speaker"] not in SPEAKERS:
            problems.append(f"{text!r}: unknown speaker {row['speaker']!r}")
        urgency, audience = row["urgency"], row["audience"]
        if not isinstance(urgency, list) or set(urgency) - URGENCY or len(set(urgency)) != len(urgency):
            problems.append(f"{text!r}: urgency must be a list from {sorted(URGENCY)}")
            continue
        if not isinstance(audience, list) or set(audience) - AUDIENCE or len(set(audience)) != len(audience):
            problems.append(f"{text!r}: audience must be a list from {sorted(AUDIENCE)}")
        if not isinstance(row["exit"], bool):
            problems.append(f"{text!r}: exit must be true or false")
        # The labels agree with each other the way the evaluation reads them.
        if row["intent"] == "immediate_danger" and "danger_now" not in urgency:
            problems.append(f"{text!r}: immediate_danger without urgency danger_now")
        if "danger_now" in urgency and row["intent"] != "immediate_danger" and not row["exit"]:
            problems.append(f"{text!r}: danger_now but intent {row['intent']} (only leaving may lead)")
        if row["intent"] == "self_harm" and "suicide" not in urgency:
            problems.append(f"{text!r}: self_harm without urgency suicide")
        if row["intent"] == "perpetrator_help" and row["speaker"] != "own_behaviour":
            problems.append(f"{text!r}: perpetrator_help must be spoken by own_behaviour")
        if row["intent"] == "quick_exit" and not row["exit"]:
            problems.append(f"{text!r}: quick_exit without exit: true")
    assert not problems, "\n".join(problems)


def test_the_heldout_axes_set_covers_every_label() -> None:
    rows = _heldout_rows()
    intents = Counter(r["intent"] for r in rows)
    missing = sorted(i for i in INTENTS if intents[i] < 5)
    assert not missing, f"intents with fewer than 5 held-out messages: {missing}"
    speakers = Counter(r["speaker"] for r in rows)
    assert speakers["other"] >= 40 and speakers["own_behaviour"] >= 20, speakers
    urgency = Counter(u for r in rows for u in r["urgency"])
    assert all(urgency[u] >= 10 for u in URGENCY), urgency
    audience = Counter(a for r in rows for a in r["audience"])
    assert all(audience[a] >= 6 for a in AUDIENCE), audience
    assert sum(1 for r in rows if r["exit"]) >= 20


def test_no_heldout_message_is_a_training_example() -> None:
    trained = _training_examples()
    copied = [str(r["text"]) for r in _heldout_rows() if _normalise(str(r["text"])) in trained]
    assert not copied, "held-out messages found in data/nlu (the set must stay unseen):\n" + "\n".join(copied)
