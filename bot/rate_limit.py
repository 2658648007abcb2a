"""A per-conversation sliding window, in memory.

A person panicking may send many messages; a script may send thousands. Over the limit the
message is not read but Rasa still answers with a kind "please wait" (and 999), so nobody is
left with silence. Keys are keyed hashes: the limiter never holds a tab id.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._secret = os.urandom(32)
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _key(self, sender: str) -> str:
        return hmac.new(self._secret, sender.encode(), hashlib.sha256).hexdigest()[:32]

    def allow(self, sender: str) -> bool:
        """Record a message and say whether it is within the limit (a limit <= 0 disables)."""
        if self.limit <= 0:
            return True
        key = self._key(sender)
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                self._evict(now)
                hits = self._hits[key] = deque()
            else:
                self._hits.move_to_end(key)
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def forget(self, sender: str) -> None:
        with self._lock:
            self._hits.pop(self._key(sender), None)

    def _evict(self, now: float) -> None:
        """Keys are kept in least-recently-used order, so expired windows sit at the front."""
        while self._hits:
            oldest = next(iter(self._hits.values()))
            if len(self._hits) < self.max_keys and oldest and now - oldest[-1] < self.window:
                break
            self._hits.popitem(last=False)

    def __len__(self) -> int:
        return len(self._hits)
