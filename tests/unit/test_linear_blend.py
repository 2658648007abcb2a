"""The linear blend: trained, stored and loaded through Rasa's own model storage, and mixing
confidences as config.yml says."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_blend import LinearIntentBlend

_EXAMPLES = {
    "stalking": ["he follows me home every night", "he keeps turning up outside my work",
                 "my ex waits outside my house", "someone keeps following me around"],
    "economic_abuse": ["he takes all my wages", "she controls all the money",
                       "he won't let me have my own bank card", "my partner took out loans in my name"],
    "greet": ["hi", "hello there", "good morning", "hey"],
}


def _training_data() -> TrainingData:
    return TrainingData([Message(data={TEXT: text, INTENT: intent})
                         for intent, texts in _EXAMPLES.items() for text in texts])


def _diet_guess(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return message


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _component(storage: LocalModelStorage, diet_weight: float) -> LinearIntentBlend:
    config = {**LinearIntentBlend.get_default_config(), "diet_weight": diet_weight}
    context = ExecutionContext(GraphSchema({}), "test")
    return LinearIntentBlend.create(config, storage, Resource("blend"), context)


def test_the_linear_model_overrules_a_sure_diet_mistake_after_loading(storage: LocalModelStorage) -> None:
    trained = _component(storage, diet_weight=0.25)
    resource = trained.train(_training_data())
    config = {**LinearIntentBlend.get_default_config(), "diet_weight": 0.25}
    loaded = LinearIntentBlend.load(config, storage, resource, ExecutionContext(GraphSchema({}), "test"))

    message = _diet_guess("he follows me home from work", [("economic_abuse", 0.9), ("stalking", 0.1)])
    loaded.process([message])

    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT)["name"] == "stalking"
    assert ranking[0]["name"] == "stalking"
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-6)


def test_the_weight_sets_how_much_diet_counts(storage: LocalModelStorage) -> None:
    resource = _component(storage, 1.0).train(_training_data())
    config = {**LinearIntentBlend.get_default_config(), "diet_weight": 1.0}
    diet_only = LinearIntentBlend.load(config, storage, resource, ExecutionContext(GraphSchema({}), "test"))

    message = _diet_guess("he follows me home from work", [("economic_abuse", 0.9), ("stalking", 0.1)])
    diet_only.process([message])

    assert message.get(INTENT) == {"name": "economic_abuse", "confidence": pytest.approx(0.9)}


def test_every_message_gets_an_intent_even_an_empty_one_or_a_button_payload(storage: LocalModelStorage) -> None:
    blend = _component(storage, 0.25)
    blend.train(_training_data())
    messages = [Message(data={TEXT: text}) for text in ("", "   ", '/nlu_fallback{"refused_empty": "yes"}')]

    blend.process(messages)

    for message in messages:
        assert message.get(INTENT)["name"] in _EXAMPLES
        assert len(message.get(INTENT_RANKING_KEY)) == len(_EXAMPLES)


def test_a_model_trained_without_intents_leaves_diet_alone(storage: LocalModelStorage) -> None:
    blend = _component(storage, 0.25)
    resource = blend.train(TrainingData([]))
    loaded = LinearIntentBlend.load(LinearIntentBlend.get_default_config(), storage, resource,
                                    ExecutionContext(GraphSchema({}), "test"))
    message = _diet_guess("he follows me home", [("economic_abuse", 0.9), ("stalking", 0.1)])

    loaded.process([message])

    assert message.get(INTENT)["name"] == "economic_abuse"


@pytest.mark.parametrize("text", ["he follows me home from work", "HELLO!!", "zzzz qqqq", "wages",
                                  "my ex waits outside, he took my bank card 😢"])
def test_the_fast_path_gives_scikit_learns_own_probabilities(storage: LocalModelStorage, text: str) -> None:
    blend = _component(storage, 0.25)
    blend.train(_training_data())

    fast = blend._fast.probabilities(text)
    reference = dict(zip(blend.model.classes_, blend.model.predict_proba([text])[0], strict=True))

    assert fast == pytest.approx(reference, abs=1e-9)
