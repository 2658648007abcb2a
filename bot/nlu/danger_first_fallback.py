"""Keeps the fallback from hiding a likely emergency.

The FallbackClassifier turns an unsure or ambiguous prediction into `nlu_fallback`, and the bot
then asks a clarifying question. That is right for most topics, but when the classifier's own
best guess is immediate danger, a question costs time someone may not have: the danger guess
stands (a false alarm costs one extra emergency message). For the same reason, when the
classifier names a kind of abuse first but gives immediate danger a real share (at least
`runner_up_confidence`), danger wins: the kind of abuse is kept as the topic
(bot/understanding/reading.py) so the services that follow still fit it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.override import override_intent
from bot.understanding.reading import ABUSE_TOPICS

DANGER_INTENT = "immediate_danger"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerFirstFallback(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": 0.2, "runner_up_confidence": 0.3}

    def __init__(self, min_confidence: float, runner_up_confidence: float = 0.3) -> None:
        self.min_confidence = min_confidence
        self.runner_up_confidence = runner_up_confidence

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerFirstFallback:
        return cls(float(config["min_confidence"]), float(config["runner_up_confidence"]))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            ranked = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK_INTENT]
            best = ranked[0] if ranked else {}
            if (intent == FALLBACK_INTENT and best.get("name") == DANGER_INTENT
                    and best.get("confidence", 0) >= self.min_confidence):
                message.set(INTENT, dict(best), add_to_output=True)
            elif (intent in ABUSE_TOPICS and len(ranked) > 1 and ranked[1].get("name") == DANGER_INTENT
                    and ranked[1].get("confidence", 0) >= self.runner_up_confidence):
                override_intent(message, DANGER_INTENT)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
