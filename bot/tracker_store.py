"""An in-memory tracker store that forgets.

Stock Rasa keeps every conversation until the process stops. People using this service may
have their phone checked, so a conversation is deleted after a period of silence and at once
when the person asks to leave (a `quick_exit` turn).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

QUICK_EXIT_INTENT = "quick_exit"
DEFAULT_TTL_SECONDS = 1800


class ForgetfulTrackerStore(InMemoryTrackerStore):
    def __init__(
        self,
        domain: Domain,
        event_broker: EventBroker | None = None,
        ttl_seconds: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        # SESSION_TTL_SECONDS, handed over by ConfiguredTrackerStore from the one configuration.
        self.ttl_seconds = int(ttl_seconds or DEFAULT_TTL_SECONDS)
        # Oldest first, so expiry stops at the first conversation that is still fresh.
        self._last_seen: OrderedDict[str, float] = OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._expire_idle()
        if tracker.latest_message and tracker.latest_message.intent.get("name") == QUICK_EXIT_INTENT:
            await self.delete(tracker.sender_id)
            return
        await super().save(tracker)
        self._last_seen[tracker.sender_id] = time.monotonic()
        self._last_seen.move_to_end(tracker.sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        self._expire_idle()
        return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        self._expire_idle()
        return await super().retrieve_full_tracker(sender_id)

    async def keys(self) -> Iterable[str]:
        self._expire_idle()
        return list(self.store.keys())

    async def delete(self, sender_id: str) -> bool:
        """Forget a conversation entirely; True when there was one."""
        self._last_seen.pop(sender_id, None)
        return self.store.pop(sender_id, None) is not None

    def _expire_idle(self) -> None:
        cutoff = time.monotonic() - self.ttl_seconds
        while self._last_seen:
            sender_id, seen = next(iter(self._last_seen.items()))
            if seen >= cutoff:
                break
            self._last_seen.popitem(last=False)
            self.store.pop(sender_id, None)
