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
from tests.support.intent_examples import EXAMPLES, training_data


def _diet_guess(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return message


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _component(storage: LocalModelStorage, diet_weight: float, **settings: float) -> LinearIntentBlend:
    config = {**LinearIntentBlend.get_default_config(), "diet_weight": diet_weight, **settings}
    context = ExecutionContext(GraphSchema({}), "test")
    return LinearIntentBlend.create(config, storage, Resource("blend"), context)


def test_the_linear_model_overrules_a_sure_diet_mistake_after_loading(storage: LocalModelStorage) -> None:
    trained = _component(storage, diet_weight=0.25)
    resource = trained.train(training_data())
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
    resource = _component(storage, 1.0).train(training_data())
    config = {**LinearIntentBlend.get_default_config(), "diet_weight": 1.0}
    diet_only = LinearIntentBlend.load(config, storage, resource, ExecutionContext(GraphSchema({}), "test"))

    message = _diet_guess("he follows me home from work", [("economic_abuse", 0.9), ("stalking", 0.1)])
    diet_only.process([message])

    assert message.get(INTENT) == {"name": "economic_abuse", "confidence": pytest.approx(0.9)}


def test_every_message_gets_an_intent_even_an_empty_one_or_a_button_payload(storage: LocalModelStorage) -> None:
    blend = _component(storage, 0.25)
    blend.train(training_data())
    messages = [Message(data={TEXT: text}) for text in ("", "   ", '/nlu_fallback{"refused_empty": "yes"}')]

    blend.process(messages)

    for message in messages:
        assert message.get(INTENT)["name"] in EXAMPLES
        assert len(message.get(INTENT_RANKING_KEY)) == len(EXAMPLES)


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
    blend.train(training_data())

    never = _component(storage, 0.25, sentence_below=0.0)  # n-grams alone
    never.train(training_data())

    fast = never._fast.probabilities(text)
    ngrams = never.model.ngrams
    reference = dict(zip(ngrams.classes_, ngrams.predict_proba([text])[0], strict=True))

    assert fast == pytest.approx(reference, abs=1e-9)


@pytest.mark.parametrize("text", ["he follows me home from work", "zzzz qqqq", "my partner sits outside my office"])
def test_below_the_threshold_the_sentence_model_answers_with_its_own_probabilities(
        storage: LocalModelStorage, text: str) -> None:
    from bot.nlu.linear_blend import sentence_features
    from bot.nlu.sentence_encoder import encoder

    always = _component(storage, 0.25, sentence_below=1.01)  # every guess counts as unsure
    always.train(training_data())
    trained = always.model

    fast = always._fast.probabilities(text)
    features = sentence_features(trained.ngrams.steps[0][1].transform([text]), encoder().encode([text]),
                                 trained.sentence_weight)
    reference = dict(zip(trained.with_sentences.classes_, trained.with_sentences.predict_proba(features)[0],
                         strict=True))

    assert fast == pytest.approx(reference, abs=1e-6)
    ngram_only = dict(zip(trained.ngrams.classes_, trained.ngrams.predict_proba([text])[0], strict=True))
    assert fast != pytest.approx(ngram_only, abs=1e-3)


def test_a_sure_ngram_guess_never_computes_the_sentence_vector(storage: LocalModelStorage,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.nlu import sentence_encoder

    blend = _component(storage, 0.25, sentence_below=0.0)
    blend.train(training_data())
    monkeypatch.setattr(sentence_encoder, "encoder", lambda: pytest.fail("the sentence vector was computed"))

    assert max(blend._fast.probabilities("he follows me home from work").values()) > 0.0


def test_without_sentence_weight_only_the_ngram_model_is_trained(storage: LocalModelStorage) -> None:
    blend = _component(storage, 0.25, sentence_weight=0.0, sentence_below=1.01)
    blend.train(training_data())

    assert blend.model.with_sentences is None
    assert blend._fast.probabilities("he follows me home")["stalking"] > 0.3


def test_a_broken_sentence_encoder_leaves_the_ngram_answer(storage: LocalModelStorage,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    from bot.nlu import sentence_encoder

    always = _component(storage, 0.25, sentence_below=1.01)
    always.train(training_data())

    def broken() -> None:
        raise MemoryError("no room for the weights")

    monkeypatch.setattr(sentence_encoder, "encoder", broken)
    text = "he follows me home from work"
    ngrams = always.model.ngrams
    with caplog.at_level("WARNING"):
        answer = always._fast.probabilities(text)

    assert answer == pytest.approx(dict(zip(ngrams.classes_, ngrams.predict_proba([text])[0], strict=True)))
    assert "MemoryError" in caplog.text and text not in caplog.text


def test_a_broken_sentence_encoder_is_not_retried_on_every_message(storage: LocalModelStorage,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.nlu import sentence_encoder

    always = _component(storage, 0.25, sentence_below=1.01)
    always.train(training_data())
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise FileNotFoundError("model.safetensors")

    monkeypatch.setattr(sentence_encoder, "encoder", broken)
    for text in ("he follows me home", "she took my wages", "hello"):
        always._fast.probabilities(text)

    assert len(calls) == 1


def test_rasas_training_cache_is_keyed_on_every_module_that_trains_the_classifier(tmp_path) -> None:
    """Rasa keys its cache on the component class's source alone: a change to the fine-tuning
    beside it reused the model the old code had trained (make eval then read that model)."""
    import shutil

    from bot.nlu import linear_blend

    here = Path(linear_blend.__file__).resolve().parent
    for name in linear_blend.TRAINER_MODULES:
        shutil.copy(here / name, tmp_path / name)
    assert linear_blend.trainer_source_fingerprint(tmp_path) == linear_blend.trainer_source_fingerprint()
    assert linear_blend.LinearIntentBlend.fingerprint_addon({}) == linear_blend.trainer_source_fingerprint()
    for name in linear_blend.TRAINER_MODULES:
        before = linear_blend.trainer_source_fingerprint(tmp_path)
        (tmp_path / name).write_text((here / name).read_text() + "\n# changed\n")
        assert linear_blend.trainer_source_fingerprint(tmp_path) != before, name
