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
    def __init__(self, size: int = MAX_REMEMBERED) -> None:
        self.size = size
        self._ids: OrderedDict[Hashable, None] = OrderedDict()

    def first_time(self, delivery_id: Hashable) -> bool:
        """Record the id; False when it was already seen."""
        if delivery_id in self._ids:
            return False
        self._ids[delivery_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True
