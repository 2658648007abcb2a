"""What every channel does with a message: key it, guard it, answer it, never leave silence.

Channels differ in how messages arrive and leave; the safety rules are the same everywhere, so
they live here once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain

from bot import rasa_runtime
from bot.safety.urgency import EMERGENCY_RESPONSE, SELF_HARM_RESPONSE, leading_responses

logger = logging.getLogger(__name__)

UNAVAILABLE_RESPONSE = "utter_service_unavailable"
QUICK_EXIT_RESPONSE = "utter_quick_exit"


class KeepsMeaningWithText(CollectingOutputChannel):
    """Keeps a message's `custom` data in the same collected message as its text.

    Rasa's collector stores text and `custom` as two separate messages, so a renderer could
    not tell which words a service card or an emergency call belongs to. A message without
    `custom` is collected exactly as Rasa does it (text split at blank lines).
    """

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        custom = message.get("custom")
        text = message.get("text")
        if not custom or not text or message.get("quick_replies"):
            await super().send_response(recipient_id, message)
            return
        kept = {"recipient_id": recipient_id, "text": str(text), "custom": custom}
        if message.get("buttons"):
            kept["buttons"] = message["buttons"]
        await self._persist_message(kept)


class ChannelCollector(KeepsMeaningWithText):
    """Collects replies under the channel's own name, so Rasa picks that channel's wording."""

    def __init__(self, channel: str) -> None:
        super().__init__()
        self._channel = channel

    def name(self) -> str:
        return self._channel


def conversation_key(secret: bytes, channel: str, raw_id: str) -> str:
    """A stable key for a sender that cannot be turned back into their number or chat id."""
    digest = hmac.new(secret, f"{channel}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}-{digest[:32]}"


def response_text(domain: Domain | None, name: str, channel: str) -> dict[str, Any]:
    """The response's variant for this channel (or its default), as a message dict."""
    variants = (domain.responses.get(name) if domain else None) or []
    unconditional = [v for v in variants if not v.get("condition")]
    for variant in unconditional:
        if variant.get("channel") == channel:
            return _as_message(variant)
    for variant in unconditional:
        if not variant.get("channel"):
            return _as_message(variant)
    return {"text": _LAST_RESORT}


# Used only if domain.yml itself could not be loaded: the two facts nobody may ever be denied.
_LAST_RESORT = ("In danger now: call 999. National Domestic Abuse Helpline: 0808 2000 247, "
                "free, 24 hours.")


def _as_message(variant: dict[str, Any]) -> dict[str, Any]:
    message = {"text": variant.get("text", "")}
    if variant.get("buttons"):
        message["buttons"] = variant["buttons"]
    if variant.get("custom"):
        message["custom"] = variant["custom"]
    return message


def fallback_messages(domain: Domain | None, channel: str, user_text: str) -> list[dict[str, Any]]:
    """Danger first, then the helpline: what a person gets when the bot cannot answer."""
    names = (*leading_responses(user_text), UNAVAILABLE_RESPONSE)
    return [response_text(domain, name, channel) for name in names]


def response_texts(domain: Domain | None, name: str) -> set[str]:
    """Every unconditional wording of a response, also as Rasa's paragraph-split parts."""
    texts: set[str] = set()
    for variant in (domain.responses.get(name) if domain else None) or []:
        text = str(variant.get("text") or "").strip()
        if text:
            texts.add(text)
            texts.update(part.strip() for part in text.split("\n\n") if part.strip())
    return texts


def says(domain: Domain | None, name: str, messages: Iterable[dict[str, Any]]) -> bool:
    """Whether the bot's reply contains the given response, in any channel's wording."""
    wordings = response_texts(domain, name)
    return any(str(m.get("text") or "").strip() in wordings for m in messages)


def urgent_first(domain: Domain | None, channel: str, messages: Sequence[dict[str, Any]], *,
                 danger: bool = False, self_harm: bool = False) -> list[dict[str, Any]]:
    """The emergency reply (or suicide support) first, added when a check saw what Rasa missed.

    It may be the only part of the reply that is read, so it leads whatever else was said:
    a refusal, a fallback, or an answer about something else.
    """
    lead_name = None
    if danger or says(domain, EMERGENCY_RESPONSE, messages):
        lead_name = EMERGENCY_RESPONSE
    elif self_harm or says(domain, SELF_HARM_RESPONSE, messages):
        lead_name = SELF_HARM_RESPONSE
    if lead_name is None:
        return list(messages)
    wordings = response_texts(domain, lead_name)
    leading = [m for m in messages if str(m.get("text") or "").strip() in wordings]
    rest = [m for m in messages if m not in leading]
    if (lead_name == EMERGENCY_RESPONSE and self_harm
            and not says(domain, SELF_HARM_RESPONSE, messages)):
        # Danger from someone else and thoughts of suicide together: both answers, 999 first.
        rest = [response_text(domain, SELF_HARM_RESPONSE, channel), *rest]
    return (leading or [response_text(domain, lead_name, channel)]) + rest


async def answer(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    *,
    agent: Any,
    channel: str,
    sender_key: str,
    text: str,
    timeout: float,
    output: CollectingOutputChannel | None = None,
) -> list[dict[str, Any]]:
    """Run the message through Rasa, but answer within `timeout` seconds whatever happens."""
    collector = output or ChannelCollector(channel)
    rasa_runtime.clear_failure(sender_key)
    message = UserMessage(text, collector, sender_key, input_channel=channel)
    task = asyncio.ensure_future(on_new_message(message))
    domain = getattr(agent, "domain", None)
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout)
    except asyncio.TimeoutError:
        # Let Rasa finish in the background so the conversation stays consistent.
        task.add_done_callback(_log_late_failure)
        logger.warning("reply exceeded %.1fs on %s; sent the fallback", timeout, channel)
        return collector.messages + fallback_messages(domain, channel, text)
    except Exception:
        logger.exception("message handling failed on %s; sent the fallback", channel)
        return fallback_messages(domain, channel, text)
    replies = list(collector.messages)
    if not replies or rasa_runtime.took_failure(sender_key):
        replies += fallback_messages(domain, channel, "" if replies else text)
    return replies


def _log_late_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("late message handling failed: %s", type(task.exception()).__name__)


def _innermost_store(agent: Any) -> Any:
    """Rasa wraps the configured store (fail-safe, awaitable); deleting needs the real one."""
    store = getattr(agent, "tracker_store", None)
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def forget(agent: Any, sender_key: str) -> bool:
    """Delete the conversation from the tracker store; True when one was there."""
    delete = getattr(_innermost_store(agent), "delete", None)
    if delete is None:
        logger.error("tracker store cannot delete conversations")
        return False
    return bool(await delete(sender_key))
