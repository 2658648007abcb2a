"""Ids of webhook deliveries already handled, so a provider's retry is answered only once.

Telegram redelivers an update it thinks went unanswered, and Twilio retries a webhook with the
same MessageSid; handling either twice would send the reply twice and spend the sender's rate
limit on someone else's retry.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

MAX_REMEMBERED = 4096


class RecentIds:
    """Per conversation, so exit forgets a conversation's delivery ids with the rest of it."""

    def __init__(self, size: int = MAX_REMEMBERED) -> None:
        self.size = size
        self._ids: OrderedDict[tuple[str, Hashable], None] = OrderedDict()

    def first_time(self, key: str, delivery_id: Hashable) -> bool:
        """Record the id for the conversation `key`; False when it was already seen."""
        entry = (key, delivery_id)
        if entry in self._ids:
            return False
        self._ids[entry] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True

    def forget(self, key: str) -> None:
        for entry in [e for e in self._ids if e[0] == key]:
            del self._ids[entry]

    def held_for(self, key: str) -> int:
        return sum(1 for e in self._ids if e[0] == key)
