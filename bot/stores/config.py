"""Where conversations and channel state live: this process's memory (the default) or Redis.

One switch, `REDIS_URL`: unset, everything stays in the memory of one process, as `make run`
has always done; set, conversations, locks, rate limits and every piece of per-channel state
move to Redis so several Rasa replicas can share them. Parsed from the mapping bot.config's one
parser hands it (never from the environment directly, never at import), and light: importing
this module does not import redis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_KEY_PREFIX = "signpost"
_PREFIX = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_SCHEMES = ("redis", "rediss", "unix")


class MissingSharedSecret(SystemExit):
    """Refuses to start, with one line and no traceback.

    With one process a per-run random key loses nothing; with replicas sharing Redis each
    would hash the same phone number to a different conversation (and the web front's token
    would match no replica), so these must be set on purpose.
    """


class BadStoreSetting(SystemExit):
    """A Redis setting that cannot be right stops the start, with one line, rather than
    silently keeping conversations somewhere else than the operator asked."""


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadStoreSetting(f"{name} is not a number of seconds") from None
    if not low <= value <= high:
        raise BadStoreSetting(f"{name} must be between {low:g} and {high:g} seconds")
    return value


@dataclass(frozen=True)
class RedisSettings:
    url: str
    key_prefix: str = DEFAULT_KEY_PREFIX
    # Short on purpose: a stalled Redis must cost a message a fraction of a second, not the
    # 1.8 s the whole reply has. Loopback answers in well under a millisecond.
    socket_timeout_seconds: float = 0.25
    connect_timeout_seconds: float = 0.25
    # After a failure Redis is not asked again for this long (every call fails at once), so an
    # outage costs one timeout per interval per process instead of one per call.
    retry_after_seconds: float = 2.0
    # Provider redeliveries come within minutes (Twilio's retries, Telegram's webhook retries).
    delivery_id_ttl_seconds: int = 900
    # How long a message may wait behind another of the same conversation before it is
    # answered by the fallback instead (the reply itself is answered sooner, by the timeout).
    lock_wait_seconds: float = 20.0
    # How long a conversation stays locked in Redis if its holder dies; renewed every third of
    # it while the holder works.
    lock_ttl_seconds: float = 6.0

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> RedisSettings | None:
        """None when REDIS_URL is unset: the one-process, in-memory mode."""
        url = env.get("REDIS_URL", "").strip()
        if not url:
            return None
        if urlsplit(url).scheme not in _SCHEMES:
            raise BadStoreSetting("REDIS_URL must start with redis://, rediss:// or unix://")
        prefix = env.get("REDIS_KEY_PREFIX", "").strip() or DEFAULT_KEY_PREFIX
        if not _PREFIX.match(prefix):
            raise BadStoreSetting("REDIS_KEY_PREFIX must be 1-40 letters, digits, _ or -")
        return cls(
            url=url,
            key_prefix=prefix,
            socket_timeout_seconds=_seconds(env, "REDIS_SOCKET_TIMEOUT_SECONDS", 0.25, 0.01, 5),
            connect_timeout_seconds=_seconds(env, "REDIS_CONNECT_TIMEOUT_SECONDS", 0.25, 0.01, 5),
            retry_after_seconds=_seconds(env, "REDIS_RETRY_AFTER_SECONDS", 2.0, 0.0, 60),
            lock_wait_seconds=_seconds(env, "REDIS_LOCK_WAIT_SECONDS", 20.0, 0.1, 300),
            lock_ttl_seconds=_seconds(env, "REDIS_LOCK_TTL_SECONDS", 6.0, 1.0, 120),
        )

    def redacted_url(self) -> str:
        """For a log line: the address without a password."""
        parts = urlsplit(self.url)
        host = parts.hostname or parts.path
        return f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}"


def require_shared_secrets(redis: RedisSettings | None, env: Mapping[str, str]) -> None:
    """Replicas sharing Redis must share the hash key and the web token: refuse otherwise."""
    if redis is None:
        return
    missing = [name for name in ("SENDER_HASH_KEY", "WEBFRONT_TOKEN")
               if not env.get(name, "").strip()]
    if missing:
        raise MissingSharedSecret(
            f"REDIS_URL is set, so replicas share conversations: set {' and '.join(missing)} "
            "explicitly (the same value on every replica and the web front); refusing to start")
    if len(env["SENDER_HASH_KEY"].strip()) < 16:
        raise MissingSharedSecret("SENDER_HASH_KEY must be at least 16 characters when REDIS_URL "
                                  "is set (it is what keeps phone numbers out of Redis); "
                                  "refusing to start")
