"""Runtime settings, read from the environment with safe defaults.

Read when asked for, never at import, so tests and processes can set their own environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from bot.stores.config import RedisSettings, require_shared_secrets


def _number(name: str, default: float, cast: type = float) -> Any:
    """A bad or missing value falls back to the default rather than stopping the bot."""
    raw = os.environ.get(name, "").strip()
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
    def from_env(cls) -> Settings:
        redis = RedisSettings.from_env()
        require_shared_secrets(redis)  # replicas must agree on the hash key and the token
        return cls(
            session_ttl_seconds=_number("SESSION_TTL_SECONDS", 1800, int),
            max_message_chars=_number("MAX_MESSAGE_CHARS", 1000, int),
            reply_timeout_seconds=_number("REPLY_TIMEOUT_SECONDS", 1.8),
            sender_hash_key=os.environ.get("SENDER_HASH_KEY", "").encode() or os.urandom(32),
            webfront_token=os.environ.get("WEBFRONT_TOKEN", ""),
            rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rate_limit_per_minute=_number("RATE_LIMIT_PER_MINUTE", 20, int),
            overall_rate_limit_per_minute=_number("OVERALL_RATE_LIMIT_PER_MINUTE", 1200, int),
            redis=redis,
        )
