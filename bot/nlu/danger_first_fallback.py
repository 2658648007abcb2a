"""Keeps the fallback from hiding a likely emergency.

The FallbackClassifier turns an unsure or ambiguous prediction into `nlu_fallback`, and the bot
then asks a clarifying question. That is right for most topics, but when the classifier's own
best guess is immediate danger, a question costs time someone may not have: the danger guess
stands (a false alarm costs one extra emergency message).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

DANGER_INTENT = "immediate_danger"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerFirstFallback(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": 0.2}

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerFirstFallback:
        return cls(float(config["min_confidence"]))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get("name") != FALLBACK_INTENT:
                continue
            ranked = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK_INTENT]
            best = ranked[0] if ranked else {}
            if best.get("name") == DANGER_INTENT and best.get("confidence", 0) >= self.min_confidence:
                message.set(INTENT, dict(best), add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
