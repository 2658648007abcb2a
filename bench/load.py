"""Closed-loop load: N virtual people, each replaying whole conversations as fast as replies come.

Every virtual user starts each conversation with a new sender id, as a new browser tab would,
and sends its next message only when the reply to the last one arrived: the latency is what a
person waits, and the throughput is what the server can sustain at that concurrency. There is
no think time, so 10 virtual users are more demanding than 10 real people typing.

Bounded in time (duration) and in count (max_messages); messages already sent when time runs
out are allowed to finish, so the slowest replies are not silently dropped from p99.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.common import Noise, new_sender, percentile
from bench.conversations import CONVERSATIONS, Conversation

CLIENT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Target:
    """One HTTP endpoint that answers chat messages, and how to recognise its fallback reply
    and the "please wait" reply a rate limit sends instead of the bot's answer."""

    name: str
    url: str
    headers: dict[str, str]
    fallback_text: str | None = None
    limited_text: str | None = None
    body: Callable[[str, str], dict[str, Any]] = lambda sender, text: {
        "sender": sender, "message": text}


@dataclass
class LevelResult:
    target: str
    concurrency: int
    duration: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    fallbacks: int = 0
    # Refused by a limit (HTTP 429 from the web front, or the "please wait" reply): not an
    # answer, so not in the latencies either. The bench turns the limits off; this proves it.
    limited: int = 0
    empty: int = 0
    conversations: int = 0
    noise: Noise | None = None
    # Per message text: its latencies and how many bot messages answered it (a reply listing
    # services from the directory has several), to see where the time goes.
    by_message: dict[str, list[float]] = field(default_factory=dict)
    reply_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.latencies, default=float("nan")) * 1000

    @property
    def throughput(self) -> float:
        return self.count / self.duration if self.duration else 0.0


def _says(replies: Any, text: str | None) -> bool:
    if not text or not isinstance(replies, list):
        return False
    return any(isinstance(r, dict) and r.get("text") == text for r in replies)


class Limited(Exception):
    """The server refused the message with HTTP 429 (a rate or in-flight limit)."""


async def _post(session: aiohttp.ClientSession, target: Target, sender: str,
                text: str) -> tuple[float, Any]:
    started = time.perf_counter()
    async with session.post(target.url, json=target.body(sender, text),
                            headers=target.headers) as reply:
        payload = await reply.json(content_type=None) if reply.status == 200 else None
        elapsed = time.perf_counter() - started
        if reply.status == 429:
            raise Limited
        if reply.status != 200:
            raise aiohttp.ClientResponseError(reply.request_info, (), status=reply.status)
    return elapsed, payload


async def _user(index: int, session: aiohttp.ClientSession, target: Target, stop_at: float,
                budget: list[int], result: LevelResult,
                conversations: tuple[Conversation, ...] = CONVERSATIONS) -> None:
    conversation_no = 0
    while time.monotonic() < stop_at and budget[0] > 0:
        conversation = conversations[(index + conversation_no) % len(conversations)]
        sender = new_sender(f"bench-u{index:03d}-c{conversation_no:05d}")
        result.conversations += 1
        for text in conversation.messages:
            if time.monotonic() >= stop_at or budget[0] <= 0:
                return
            budget[0] -= 1
            try:
                elapsed, replies = await _post(session, target, sender, text)
            except Limited:
                result.limited += 1
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError):
                result.errors += 1
                continue
            if _says(replies, target.limited_text):
                result.limited += 1
                continue
            result.latencies.append(elapsed)
            result.by_message.setdefault(text, []).append(elapsed)
            result.reply_sizes[text] = max(result.reply_sizes.get(text, 0),
                                           len(replies) if isinstance(replies, list) else 0)
            if not replies:
                result.empty += 1
            elif _says(replies, target.fallback_text):
                result.fallbacks += 1
        conversation_no += 1


async def _run_level(target: Target, concurrency: int, seconds: float, max_messages: int,
                     conversations: tuple[Conversation, ...]) -> LevelResult:
    result = LevelResult(target.name, concurrency, 0.0)
    connector = aiohttp.TCPConnector(limit=concurrency + 4)
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     trust_env=False) as session:
        started = time.monotonic()
        budget = [max_messages]
        await asyncio.gather(*(
            _user(i, session, target, started + seconds, budget, result, conversations)
            for i in range(concurrency)))
        result.duration = time.monotonic() - started
    return result


def run_level(target: Target, concurrency: int, seconds: float, max_messages: int = 50_000,
              conversations: tuple[Conversation, ...] = CONVERSATIONS) -> LevelResult:
    return asyncio.run(_run_level(target, concurrency, seconds, max_messages, conversations))


def warm_up(target: Target, seconds: float,
            conversations: tuple[Conversation, ...] = CONVERSATIONS) -> LevelResult:
    """Every conversation at least once (first-use costs: TensorFlow graphs, DB pages, pools)."""
    return run_level(target, len(conversations), seconds,
                     max_messages=sum(len(c.messages) for c in conversations) * 3,
                     conversations=conversations)


async def _one(target: Target, sender: str, text: str,
               timeout: float) -> tuple[float, int, Any]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout),
                                     trust_env=False) as session:
        started = time.perf_counter()
        async with session.post(target.url, json=target.body(sender, text),
                                headers=target.headers) as reply:
            try:
                payload = await reply.json(content_type=None)
            except (ValueError, aiohttp.ContentTypeError):
                payload = None
            return time.perf_counter() - started, reply.status, payload


def send_one(target: Target, sender: str, text: str,
             timeout: float = CLIENT_TIMEOUT_SECONDS) -> tuple[float, int, Any]:
    """One message: seconds taken, HTTP status, the decoded replies (or None)."""
    return asyncio.run(_one(target, sender, text, timeout))
