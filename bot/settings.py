"""What every channel shares (the channels section of bot.config.AppConfig).

Built by bot.config's one parser from the environment it was given, never read here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.stores.config import RedisSettings


def _number(env: Mapping[str, str], name: str, default: float, cast: type = float) -> Any:
    """A missing value is the default; a bad one was refused by bot.config's checks first
    (built directly, as tests do, it falls back to the default too)."""
    raw = env.get(name, "").strip()
    try:
        return cast(raw) if raw else default
    except ValueError:
        return default
@dataclass(frozen=True)
class Settings:
    session_ttl_seconds: int
    max_message_chars: int
    reply_timeout_seconds: float
    sender_hash_key: bytes
    webfront_token: str
    rasa_url: str
    rate_limit_per_minute: int
    # Every conversation together, per channel and process: a flood from many senders cannot
    # starve the rest. Danger is never held back by either limit.
    overall_rate_limit_per_minute: int = 1200
    # None: conversations and channel state in this process's memory. Set (REDIS_URL): in
    # Redis, shared by every replica (bot.stores).
    redis: RedisSettings | None = None

    @classmethod
    def from_mapping(cls, env: Mapping[str, str], redis: RedisSettings | None = None) -> Settings:
        """The channels section; `redis` is the store section (already checked)."""
        return cls(
            session_ttl_seconds=_number(env, "SESSION_TTL_SECONDS", 1800, int),
            max_message_chars=_number(env, "MAX_MESSAGE_CHARS", 2000, int),
            reply_timeout_seconds=_number(env, "REPLY_TIMEOUT_SECONDS", 1.8),
            # Unset: a random key for this process (one process, memory only: nothing lost).
            sender_hash_key=env.get("SENDER_HASH_KEY", "").encode() or os.urandom(32),
            webfront_token=env.get("WEBFRONT_TOKEN", ""),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rate_limit_per_minute=_number(env, "RATE_LIMIT_PER_MINUTE", 20, int),
            overall_rate_limit_per_minute=_number(env, "OVERALL_RATE_LIMIT_PER_MINUTE", 1200, int),
            redis=redis,
        )

