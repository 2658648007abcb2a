"""Replacing the classifier's intent, the same way for every deterministic component.

The classifier's own answer is kept under `classifier_intent` (the evaluation reports both),
the new intent leads the ranking with full confidence, and the rest keep their order.
"""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

CLASSIFIER_INTENT = "classifier_intent"


def override_intent(message: Message, name: str) -> None:
    if message.get(CLASSIFIER_INTENT) is None:
        message.set(CLASSIFIER_INTENT, message.get(INTENT), add_to_output=True)
    chosen = {"name": name, "confidence": 1.0}
    message.set(INTENT, chosen, add_to_output=True)
    rest = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT_RANKING_KEY, [chosen, *rest], add_to_output=True)
