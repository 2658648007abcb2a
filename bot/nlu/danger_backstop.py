"""Overrides the classifier when a message signals immediate danger.

Runs last in the NLU pipeline so that neither a confident wrong intent nor the low-confidence
fallback can hide an emergency: the rule for `immediate_danger` then sends 999 and the Silent
Solution first.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safety.danger import signals_danger

DANGER_INTENT = "immediate_danger"
CLASSIFIER_INTENT = "classifier_intent"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class DangerBackstop(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerBackstop:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if signals_danger(message.get(TEXT)):
                # Keep what the classifier said, so evaluation can report both.
                message.set(CLASSIFIER_INTENT, message.get(INTENT), add_to_output=True)
                override = {"name": DANGER_INTENT, "confidence": 1.0}
                message.set(INTENT, override, add_to_output=True)
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                           if r.get("name") != DANGER_INTENT]
                message.set(INTENT_RANKING_KEY, [override, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
