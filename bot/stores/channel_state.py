"""The channels' per-conversation state behind small interfaces: in memory, or in Redis.

What the channels keep between messages: the buttons a conversation was offered (typed
shortcuts are honoured only for those), the SMS numbered choices, Telegram's long payloads
behind tokens, provider delivery ids (a retry is answered once) and the rate-limit windows. With
one process, today's in-memory classes; with replicas (REDIS_URL), Redis, so a conversation
that moves to another replica keeps its choices and one budget is shared by every replica.

The interfaces stay synchronous, as the channels call them; the Redis versions use the
synchronous client with the same short timeouts and breaker as the tracker store (a call on
loopback takes about 0.1 ms). While Redis is away they hold nothing: a choice cannot be read
back (the person types it or presses the button again), a retry may be answered twice, and the
rate limits fall back to this process's own window (keyed hashes and times only).

Writes for a conversation are refused once it has been deleted (exit) unless it has started
again since, in the same Lua script as the write, so a reply still in flight on another replica
when the person left cannot put its buttons back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bot.stores.config import RedisSettings
from bot.stores.keys import Keys
from bot.stores.redis_client import Breaker, RedisUnavailable, breaker_for, redis_errors, sync_client

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

RATE_WINDOW_SECONDS = 60
OFFERED_PER_CONVERSATION = 24
LONG_PAYLOADS_PER_CONVERSATION = 64
DELIVERIES_PER_CONVERSATION = 64
TOKEN_PREFIX = "#"  # bot.channels.telegram reads tokens by this prefix


# ---- the interfaces ---------------------------------------------------------------------------
class OfferedPayloadStore(Protocol):
    """Button payloads a conversation was offered recently (bot.channels.pipeline)."""

    def remember(self, key: str, payloads: Iterable[str]) -> None: ...
    def was_offered(self, key: str, payload: str) -> bool: ...
    def forget(self, key: str) -> None: ...
    def __contains__(self, key: str) -> bool: ...


class RateLimiter(Protocol):
    def allow(self, sender: str) -> bool: ...
    def forget(self, sender: str) -> None: ...


class DeliveryIds(Protocol):
    """Provider delivery ids already handled (Twilio MessageSid, Telegram update id), per
    conversation, so that exit forgets them with the rest of the conversation."""

    def first_time(self, key: str, delivery_id: Hashable) -> bool: ...
    def forget(self, key: str) -> None: ...
    def held_for(self, key: str) -> int: ...


class NumberedChoices(Protocol):
    """What each digit meant in the last SMS with choices (bot.channels.sms)."""

    def remember(self, key: str, payloads: Sequence[str]) -> None: ...
    def payload(self, key: str, number: int) -> str | None: ...
    def forget(self, key: str) -> None: ...
    def __contains__(self, key: str) -> bool: ...


class PayloadTokens(Protocol):
    """Payloads too long for Telegram's callback_data, behind tokens (bot.channels.telegram)."""

    def token_for(self, key: str, payload: str) -> str: ...
    def payload(self, key: str, token: str) -> str | None: ...
    def forget(self, key: str) -> None: ...
    def held_for(self, key: str) -> int: ...


class ChannelStores(Protocol):
    def offered_payloads(self, channel: str) -> OfferedPayloadStore: ...
    def conversation_limiter(self, channel: str, per_minute: int) -> RateLimiter: ...
    def overall_limiter(self, channel: str, per_minute: int) -> RateLimiter: ...
    def delivery_ids(self, channel: str) -> DeliveryIds: ...
    def sms_choices(self) -> NumberedChoices: ...
    def long_payloads(self) -> PayloadTokens: ...


def channel_stores(settings: Settings) -> ChannelStores:
    """Chosen once from the settings: Redis when REDIS_URL was set, else memory."""
    if settings.redis is None:
        return MemoryChannelStores(settings)
    return RedisChannelStores(settings, settings.redis)


# ---- one process: today's classes -------------------------------------------------------------
class MemoryChannelStores:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def offered_payloads(self, channel: str) -> OfferedPayloadStore:
        from bot.channels.pipeline import OfferedPayloads

        return OfferedPayloads(self.settings.session_ttl_seconds)

    def conversation_limiter(self, channel: str, per_minute: int) -> RateLimiter:
        from bot.rate_limit import SlidingWindowLimiter

        return SlidingWindowLimiter(per_minute)

    def overall_limiter(self, channel: str, per_minute: int) -> RateLimiter:
        return self.conversation_limiter(channel, per_minute)

    def delivery_ids(self, channel: str) -> DeliveryIds:
        from bot.channels.replay import RecentIds

        return RecentIds()

    def sms_choices(self) -> NumberedChoices:
        from bot.channels.sms import OfferedButtons

        return OfferedButtons(self.settings.session_ttl_seconds)

    def long_payloads(self) -> PayloadTokens:
        from bot.channels.telegram import LongPayloads

        return LongPayloads(self.settings.session_ttl_seconds)


# ---- replicas: Redis ---------------------------------------------------------------------------
# The write is allowed while the conversation exists, or when it was never deleted; refused
# after an exit until the conversation has started again. KEYS[1] conversation, KEYS[2] gone.
_ALLOWED = """
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
"""

# KEYS: conversation, gone, target hash. ARGV: ttl, max fields, then field/value pairs.
# Values start with the time they were written; the oldest go first when there are too many.
_HASH_BODY = """
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
local count = redis.call('HLEN', KEYS[3])
local most = tonumber(ARGV[2])
if count > most then
  local all = redis.call('HGETALL', KEYS[3])
  local items = {}
  for i = 1, #all, 2 do
    items[#items + 1] = {all[i], tonumber(string.match(all[i + 1], '^[^|]*')) or 0}
  end
  table.sort(items, function(a, b) return a[2] < b[2] end)
  for i = 1, count - most do redis.call('HDEL', KEYS[3], items[i][1]) end
end
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[1]))
"""
_HASH_WRITE = _ALLOWED + _HASH_BODY + "return 1\n"

# KEYS: conversation, gone, delivered. ARGV: ttl, max fields, digest, stamped value.
# 1 when the id was already recorded for this conversation; else records it if allowed, 0.
_DELIVERY_SEEN = """
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then return 1 end
""" + _ALLOWED + _HASH_BODY + "return 0\n"

# KEYS: conversation, gone, target. ARGV: ttl, value.
_STRING_WRITE = _ALLOWED + """
redis.call('SET', KEYS[3], ARGV[2], 'EX', tonumber(ARGV[1]))
return 1
"""


class _RedisState:
    """A synchronous client behind the shared breaker; every failure becomes `default`."""

    def __init__(self, redis: RedisSettings, ttl_seconds: float, clock: Callable[[], float] = time.time,
                 client: Any = None) -> None:
        self.redis = redis
        self.keys = Keys(redis.key_prefix)
        self.ttl_seconds = max(1, int(ttl_seconds))
        self._clock = clock
        self._client = client
        self._breaker: Breaker = breaker_for(redis)
        self._errors = redis_errors()
        self._scripts: dict[str, Any] = {}

    def _redis(self) -> Any:
        if self._client is None:
            self._client = sync_client(self.redis)
        return self._client

    def _script(self, text: str) -> Any:
        script = self._scripts.get(text)
        if script is None:
            script = self._scripts[text] = self._redis().register_script(text)
        return script

    def _run(self, operation: Callable[[Any], Any], default: Any) -> Any:
        try:
            self._breaker.check()
        except RedisUnavailable:
            return default
        try:
            result = operation(self._redis())
        except self._errors as error:
            self._breaker.failed(error)
            return default
        self._breaker.succeeded()
        return result

    def _guarded(self, script: str, key: str, target: str, *args: Any) -> bool:
        keys = [self.keys.conversation(key), self.keys.gone(key), target]
        return bool(self._run(lambda client: self._script(script)(keys=keys, args=list(args),
                                                                   client=client), False))

    def _stamped(self, value: str) -> str:
        return f"{self._clock():.6f}|{value}"

    def _fresh(self, stored: bytes | None) -> str | None:
        """The value, if it was written within the TTL."""
        if stored is None:
            return None
        written, _, value = stored.decode("utf-8").partition("|")
        try:
            if self._clock() - float(written) > self.ttl_seconds:
                return None
        except ValueError:
            return None
        return value


class RedisOfferedPayloads(_RedisState):
    def remember(self, key: str, payloads: Iterable[str]) -> None:
        fresh = [p for p in payloads if p.startswith("/")]
        if not fresh:
            return
        now = self._clock()
        fields: list[str] = []
        for index, payload in enumerate(fresh):  # later in the list counts as newer
            fields += [payload, f"{now + index * 1e-6:.6f}|"]
        self._guarded(_HASH_WRITE, key, self.keys.offered(key), self.ttl_seconds,
                      OFFERED_PER_CONVERSATION, *fields)

    def was_offered(self, key: str, payload: str) -> bool:
        stored = self._run(lambda c: c.hget(self.keys.offered(key), payload), None)
        return self._fresh(stored) is not None

    def forget(self, key: str) -> None:
        self._run(lambda c: c.delete(self.keys.offered(key)), 0)

    def __contains__(self, key: str) -> bool:
        return bool(self._run(lambda c: c.exists(self.keys.offered(key)), 0))


class RedisSmsChoices(_RedisState):
    def remember(self, key: str, payloads: Sequence[str]) -> None:
        """What was offered just now; an answer without choices clears the old ones."""
        if not payloads:
            self.forget(key)
            return
        self._guarded(_STRING_WRITE, key, self.keys.sms_choices(key), self.ttl_seconds,
                      self._stamped(json.dumps(list(payloads))))

    def payload(self, key: str, number: int) -> str | None:
        value = self._fresh(self._run(lambda c: c.get(self.keys.sms_choices(key)), None))
        if value is None:
            return None
        try:
            payloads = json.loads(value)
        except ValueError:
            return None
        if not isinstance(payloads, list) or not 1 <= number <= len(payloads):
            return None
        return str(payloads[number - 1])

    def forget(self, key: str) -> None:
        self._run(lambda c: c.delete(self.keys.sms_choices(key)), 0)

    def __contains__(self, key: str) -> bool:
        return bool(self._run(lambda c: c.exists(self.keys.sms_choices(key)), 0))


class RedisLongPayloads(_RedisState):
    """Tokens are random and bound to the conversation they were offered to (the hash is the
    conversation's), as in memory."""

    def token_for(self, key: str, payload: str) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(9)
        # Kept or not, the button is sent: pressed later without its payload, the channel
        # reads its title instead.
        self._guarded(_HASH_WRITE, key, self.keys.long_payloads(key), self.ttl_seconds,
                      LONG_PAYLOADS_PER_CONVERSATION, token, self._stamped(payload))
        return token

    def payload(self, key: str, token: str) -> str | None:
        return self._fresh(self._run(lambda c: c.hget(self.keys.long_payloads(key), token), None))

    def forget(self, key: str) -> None:
        self._run(lambda c: c.delete(self.keys.long_payloads(key)), 0)

    def held_for(self, key: str) -> int:
        return int(self._run(lambda c: c.hlen(self.keys.long_payloads(key)), 0))


class RedisDeliveryIds(_RedisState):
    """Delivery ids only as keyed hashes, in one small hash per conversation (deleted on exit
    with the rest of it), for a few minutes: a MessageSid is what Twilio's own records are
    looked up by.

    Recorded only while the conversation may be written (not after an exit until it has
    started again): a message arriving as the person leaves cannot leave its id behind. The
    first message after an exit is therefore not recorded, so a provider's retry of that one
    message may be answered twice; that is the price of keeping nothing after an exit."""

    def __init__(self, redis: RedisSettings, channel: str, secret: bytes, ttl_seconds: float,
                 **kwargs: Any) -> None:
        super().__init__(redis, ttl_seconds, **kwargs)
        self.channel = channel
        self._secret = secret

    def _digest(self, delivery_id: Hashable) -> str:
        return hmac.new(self._secret, f"{self.channel}:{delivery_id}".encode(),
                        hashlib.sha256).hexdigest()[:32]

    def first_time(self, key: str, delivery_id: Hashable) -> bool:
        keys = [self.keys.conversation(key), self.keys.gone(key), self.keys.delivered(key)]
        args = [self.ttl_seconds, DELIVERIES_PER_CONVERSATION, self._digest(delivery_id),
                f"{self._clock():.6f}|"]
        # Redis away: answer (a retry may then be answered twice) rather than stay silent.
        seen = self._run(lambda c: self._script(_DELIVERY_SEEN)(keys=keys, args=args, client=c),
                         0)
        return not seen

    def forget(self, key: str) -> None:
        self._run(lambda c: c.delete(self.keys.delivered(key)), 0)

    def held_for(self, key: str) -> int:
        return int(self._run(lambda c: c.hlen(self.keys.delivered(key)), 0))


class RedisRateLimiter(_RedisState):
    """The `limits` package's moving window on Redis: one budget shared exactly by every
    replica. While Redis is away, this process's own sliding window stands in."""

    def __init__(self, redis: RedisSettings, limit: int, key_for: Callable[[str], str],
                 **kwargs: Any) -> None:
        super().__init__(redis, RATE_WINDOW_SECONDS, **kwargs)
        from bot.rate_limit import SlidingWindowLimiter

        self.limit = limit
        self._key_for = key_for
        self._storage: Any = None
        self._local = SlidingWindowLimiter(limit, RATE_WINDOW_SECONDS)

    def _limits(self, client: Any) -> Any:
        if self._storage is None:
            from limits.storage import RedisStorage

            self._storage = RedisStorage(self.redis.url, connection_pool=client.connection_pool)
        return self._storage

    def allow(self, sender: str) -> bool:
        """Record a message and say whether it is within the limit (a limit <= 0 disables)."""
        if self.limit <= 0:
            return True
        key = self._key_for(sender)
        allowed = self._run(lambda c: self._limits(c).acquire_entry(key, self.limit,
                                                                    RATE_WINDOW_SECONDS), None)
        if allowed is None:
            return self._local.allow(sender)
        return bool(allowed)

    def forget(self, sender: str) -> None:
        self._local.forget(sender)
        self._run(lambda c: c.delete(self._key_for(sender)), 0)


class RedisChannelStores:
    def __init__(self, settings: Settings, redis: RedisSettings) -> None:
        self.settings = settings
        self.redis = redis
        self.keys = Keys(redis.key_prefix)

    def offered_payloads(self, channel: str) -> OfferedPayloadStore:
        return RedisOfferedPayloads(self.redis, self.settings.session_ttl_seconds)

    def conversation_limiter(self, channel: str, per_minute: int) -> RateLimiter:
        # Conversation keys name their channel (`sms-...`): one window per conversation.
        return RedisRateLimiter(self.redis, per_minute, self.keys.rate)

    def overall_limiter(self, channel: str, per_minute: int) -> RateLimiter:
        return RedisRateLimiter(self.redis, per_minute, lambda _: self.keys.overall_rate(channel))

    def delivery_ids(self, channel: str) -> DeliveryIds:
        # Nothing about a message outlives its conversation's TTL, these ids included.
        ttl = min(self.redis.delivery_id_ttl_seconds, self.settings.session_ttl_seconds)
        return RedisDeliveryIds(self.redis, channel, self.settings.sender_hash_key, ttl)

    def sms_choices(self) -> NumberedChoices:
        return RedisSmsChoices(self.redis, self.settings.session_ttl_seconds)

    def long_payloads(self) -> PayloadTokens:
        return RedisLongPayloads(self.redis, self.settings.session_ttl_seconds)
