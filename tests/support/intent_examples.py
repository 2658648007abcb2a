"""A few intent examples for training small classifiers in unit tests (bot/nlu)."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

EXAMPLES = {
    "stalking": ["he follows me home every night", "he keeps turning up outside my work",
                 "my ex waits outside my house", "someone keeps following me around"],
    "economic_abuse": ["he takes all my wages", "she controls all the money",
                       "he won't let me have my own bank card", "my partner took out loans in my name"],
    "greet": ["hi", "hello there", "good morning", "hey"],
}


def training_data(extra: list[tuple[str, str]] = ()) -> TrainingData:
    """EXAMPLES (and any extra (text, intent) pairs) as Rasa training data."""
    pairs = [*((text, intent) for intent, texts in EXAMPLES.items() for text in texts), *extra]
    return TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in pairs])
