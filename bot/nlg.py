"""Responses chosen with the slots an action is about to set, not only those already set.

Rasa fills a response sent by a custom action from the tracker as it was *before* that action's
events, so an action that chooses a variant (a `reply` slot) and sends it in the same step
would get the old variant. Each answered message therefore took three steps (plan, reply,
services) and two action calls. With this generator the action passes the slots it is setting
(bot/planned_slots.py) and the response's conditions read them: one step, one action call
(docs/performance.md, issue 14's reply p50 budget). Wording stays in domain.yml.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.planned_slots import PLANNED_SLOTS


class PlannedSlotsGenerator(TemplatedNaturalLanguageGenerator):
    """Rasa's own templated generator, reading planned slots over the tracker's."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        filled_slots = tracker.current_slot_values()
        planned = kwargs.pop(PLANNED_SLOTS, None)
        if isinstance(planned, dict):
            filled_slots = {**filled_slots, **planned}
        return self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
