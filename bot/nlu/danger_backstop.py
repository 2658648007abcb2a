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
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.override import CLASSIFIER_INTENT, override_intent
from bot.safety.danger import signals_danger

DANGER_INTENT = "immediate_danger"
__all__ = ["CLASSIFIER_INTENT", "DANGER_INTENT", "DangerBackstop"]


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
                override_intent(message, DANGER_INTENT)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
