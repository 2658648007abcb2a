"""Fair shares of the web front: per client address and in all, besides the per-conversation
limit the channel keeps.

The per-conversation limit is keyed by an id the client chooses, so one script with many ids
once raised everyone's reply time from 56 ms to 2 s. These limits are keyed by address (see
bot.webfront.proxy for which address) and by how many requests wait on Rasa at once. They
decide only whether a message goes to Rasa; the caller answers a refused one at once, with
the emergency advice first when it signals danger.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.rate_limit import SlidingWindowLimiter


class InFlight:
    """Counts requests in progress, per address and in all; a limit of 0 means none (a load
    test from one address sets that)."""

    def __init__(self, total: int, per_address: int) -> None:
        self.total = total
        self.per_address = per_address
        self._lock = threading.Lock()
        self._count = 0
        self._by_address: dict[str, int] = {}

    def _enter(self, address: str) -> bool:
        with self._lock:
            held = self._by_address.get(address, 0)
            if (0 < self.total <= self._count) or (0 < self.per_address <= held):
                return False
            self._count += 1
            self._by_address[address] = held + 1
            return True

    def _leave(self, address: str) -> None:
        with self._lock:
            self._count -= 1
            held = self._by_address.get(address, 1) - 1
            if held:
                self._by_address[address] = held
            else:
                self._by_address.pop(address, None)  # memory stays bounded by what is in flight

    @contextmanager
    def slot(self, address: str) -> Iterator[bool]:
        """Yields whether the request may go ahead; the slot is freed however it ends."""
        admitted = self._enter(address)
        try:
            yield admitted
        finally:
            if admitted:
                self._leave(address)

    def __len__(self) -> int:
        return self._count


class AddressLimits:
    def __init__(self, rate_per_minute: int, total_in_flight: int, address_in_flight: int) -> None:
        self.rate = SlidingWindowLimiter(rate_per_minute)
        self.in_flight = InFlight(total_in_flight, address_in_flight)
