"""The one path every message takes, on every channel.

Web, SMS and Telegram differ only in how a message arrives and how a reply is shown. What a
message needs is the same everywhere and lives here once, in this order:

1. Leaving comes first. "exit", "hes back gtg", "get me off this page": the conversation is
   forgotten everywhere it is held and the quick-exit reply goes out, even when the message
   also signals danger, because the screen may be seen.
2. Danger and suicide are read from the raw words (normalised, look-alike letters mapped),
   before size or rate limits, so neither can hold them back.
3. The input guard cleans the text and refuses what cannot be read; a typed `/intent{...}`
   shortcut only works for a button this conversation was actually offered, everything else
   is read as words.
4. Per-conversation and overall rate limits; a limited message whose danger only the model
   would see is still asked of the model's NLU (never the whole dialogue), so it is answered.
5. Rasa answers within the timeout, or the fallback does (bot/channels/conversation.py).
6. The emergency reply, or the suicide support, is put first whenever any layer saw danger,
   including refusals and fallbacks.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.conversation import (
    EMERGENCY_RESPONSE,
    QUICK_EXIT_RESPONSE,
    SELF_HARM_RESPONSE,
    answer,
    forget,
    response_text,
    says,
    urgent_first,
)
from bot.channels.input_guard import REFUSED_RATE, guard, is_button_payload
from bot.safety.danger import signals_danger
from bot.safety.self_harm import signals_self_harm
from bot.settings import Settings
from bot.stores.channel_state import channel_stores
from bot.understanding.exit import wants_to_leave

logger = logging.getLogger(__name__)

URGENT_INTENTS = frozenset({"immediate_danger", "self_harm"})
_OVERALL = "*"


class OfferedPayloads:
    """Button payloads each conversation was offered recently: only these may be typed."""

    def __init__(self, ttl_seconds: float, per_conversation: int = 24,
                 max_conversations: int = 20_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.per_conversation = per_conversation
        self.max_conversations = max_conversations
        self._clock = clock
        self._offered: OrderedDict[str, OrderedDict[str, float]] = OrderedDict()

    def remember(self, key: str, payloads: Iterable[str]) -> None:
        fresh = [p for p in payloads if p.startswith("/")]
        if not fresh:
            return
        held = self._offered.pop(key, OrderedDict())
        now = self._clock()
        for payload in fresh:
            held.pop(payload, None)
            held[payload] = now
        while len(held) > self.per_conversation:
            held.popitem(last=False)
        self._offered[key] = held
        while len(self._offered) > self.max_conversations:
            self._offered.popitem(last=False)

    def was_offered(self, key: str, payload: str) -> bool:
        offered_at = self._offered.get(key, {}).get(payload)
        return offered_at is not None and self._clock() - offered_at <= self.ttl_seconds

    def forget(self, key: str) -> None:
        self._offered.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._offered


def as_words(payload: str) -> str:
    """What a typed but never-offered `/intent{...}` shortcut says, read as plain words."""
    body = payload.lstrip("/ ")
    name, _, entities = body.partition("{")
    words = []
    if entities:
        try:
            values = json.loads("{" + entities)
            words = [str(v) for v in values.values()] if isinstance(values, dict) else []
        except ValueError:
            words = [entities.strip("{}\"' ")]
    return " ".join(words) or name.replace("_", " ").strip()


@dataclass
class Outcome:
    """What to send back, and whether the conversation was just forgotten."""

    messages: list[dict[str, Any]]
    left: bool = False


@dataclass
class MessagePipeline:
    """One per channel; holds the per-conversation state that every channel needs."""

    channel: str
    settings: Settings
    collector: Callable[[], CollectingOutputChannel]
    forget_hooks: list[Callable[[str], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # In memory, or in Redis when replicas share it (bot.stores.channel_state).
        stores = channel_stores(self.settings)
        self.offered = stores.offered_payloads(self.channel)
        self.limiter = stores.conversation_limiter(self.channel, self.settings.rate_limit_per_minute)
        self.overall = stores.overall_limiter(self.channel, self.settings.overall_rate_limit_per_minute)

    async def leave(self, agent: Any, key: str) -> Outcome:
        """Forget the conversation everywhere this process holds it, and say so."""
        await self.forget(agent, key)
        domain = getattr(agent, "domain", None)
        return Outcome([response_text(domain, QUICK_EXIT_RESPONSE, self.channel)], left=True)

    async def forget(self, agent: Any, key: str) -> None:
        await self.forget_conversation(agent, key)

    async def forget_conversation(self, agent: Any, key: str) -> bool:
        """Forget everywhere; True when the tracker store held the conversation."""
        self.offered.forget(key)
        self.limiter.forget(key)
        for hook in self.forget_hooks:
            hook(key)
        return await forget(agent, key)

    def _read_typed_payload(self, key: str, text: str, pressed: bool) -> str:
        if not is_button_payload(text):
            return text
        if self.offered.was_offered(key, text) or (pressed and not text.startswith("/")):
            return text
        return as_words(text)

    def _within_limits(self, key: str) -> bool:
        return self.limiter.allow(key) and self.overall.allow(_OVERALL)

    async def _model_sees_urgency(self, agent: Any, text: str) -> bool:
        """Only the NLU, not the dialogue: cheap enough to ask even for a limited sender."""
        try:
            parsed = await agent.parse_message(text)
        except Exception:  # the model being unreachable must not silence the refusal
            return False
        return ((parsed or {}).get("intent") or {}).get("name") in URGENT_INTENTS

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
        key: str,
        raw: object,
    ) -> Outcome:
        domain = getattr(agent, "domain", None)
        checked = raw[: self.settings.max_message_chars * 4] if isinstance(raw, str) else ""
        if wants_to_leave(checked):
            return await self.leave(agent, key)
        danger = signals_danger(checked)
        harm = signals_self_harm(checked)

        guarded = guard(raw, self.settings.max_message_chars)
        text = guarded.text if guarded.refused else self._read_typed_payload(key, guarded.text, False)
        limited = not guarded.refused and not (danger or harm) and not self._within_limits(key)
        if limited and not await self._model_sees_urgency(agent, text):
            text = REFUSED_RATE
        replies = await answer(
            on_new_message,
            agent=agent,
            channel=self.channel,
            sender_key=key,
            text=text,
            timeout=self.settings.reply_timeout_seconds,
            output=self.collector(),
        )
        replies = urgent_first(domain, self.channel, replies, danger=danger, self_harm=harm)
        if says(domain, QUICK_EXIT_RESPONSE, replies):
            await self.forget(agent, key)
            return Outcome(replies, left=True)
        self.offered.remember(key, _payloads(replies))
        return Outcome(replies)


def _payloads(messages: Sequence[dict[str, Any]]) -> list[str]:
    return [str(b.get("payload") or "") for m in messages for b in m.get("buttons") or []
            if isinstance(b, dict)]


__all__ = ["EMERGENCY_RESPONSE", "SELF_HARM_RESPONSE", "MessagePipeline", "OfferedPayloads",
           "Outcome", "as_words"]
