"""MiniLM fine-tuned on the intents (bot/nlu/fine_tuned.py): trained in TensorFlow, read in numpy.

The two forward passes must agree, or what training learnt is not what the bot reads; and the
blend must mix the fine-tuned answer in only where the n-grams are unsure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.nlu.fine_tuned import HEAD_SCALE, PAD_TO, FineTuneSettings, _UpperLayers, fine_tune
from bot.nlu.linear_blend import LinearIntentBlend
from bot.nlu.sentence_encoder import encoder
from tests.support.intent_examples import EXAMPLES, training_data

TEXTS = [t for texts in EXAMPLES.values() for t in texts]
INTENTS = [i for i, texts in EXAMPLES.items() for _ in texts]
CLASSES = sorted(EXAMPLES)
QUICK = FineTuneSettings(epochs=8, head_learning_rate=1e-2)


@pytest.fixture(scope="module")
def tuned():
    return fine_tune(TEXTS, INTENTS, CLASSES, QUICK)


def test_without_training_the_upper_layers_are_the_published_ones() -> None:
    untrained = fine_tune(TEXTS, INTENTS, CLASSES, FineTuneSettings(epochs=0))
    texts = ["he sits outside my office", "hello"]
    assert np.allclose(encoder().encode(texts, upper=untrained.upper), encoder().encode(texts), atol=1e-6)


def test_tensorflow_and_numpy_read_a_message_alike(tuned) -> None:
    """Training runs in TensorFlow and the bot in numpy: the same weights give the same answer."""
    import tensorflow as tf

    texts = ["he sits outside my office every day", "my wages go straight to him", "hiya"]
    enc = encoder()
    layers = _UpperLayers(tf, tuned.upper, len(CLASSES), enc.heads, enc.eps, dropout=0.0)
    layers.weight.assign(tuned.weight)
    layers.bias.assign(tuned.bias)
    padded, mask = enc.lower_states(enc.token_ids(texts), enc.layers - len(tuned.upper), PAD_TO)
    logits = layers(tf.constant(padded), tf.constant(mask)).numpy()
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    read = np.stack([tuned.probabilities(t) for t in texts])
    assert read == pytest.approx(expected, abs=1e-4)
    assert HEAD_SCALE > 1  # the scale is part of both paths


def test_fine_tuning_learns_the_intents_and_changes_only_the_upper_layers(tuned) -> None:
    enc = encoder()
    assert len(tuned.upper) == enc.layers - QUICK.frozen_layers
    assert not np.allclose(tuned.upper[-1]["output"][0], enc.blocks[-1]["output"][0])
    right = sum(CLASSES[int(np.argmax(tuned.probabilities(t)))] == i for t, i in zip(TEXTS, INTENTS, strict=True))
    assert right == len(TEXTS)


def test_fine_tuning_twice_gives_the_same_model() -> None:
    one = fine_tune(TEXTS, INTENTS, CLASSES, FineTuneSettings(epochs=2))
    two = fine_tune(TEXTS, INTENTS, CLASSES, FineTuneSettings(epochs=2))
    assert np.array_equal(one.weight, two.weight)
    assert np.array_equal(one.upper[0]["qkv"][0], two.upper[0]["qkv"][0])


def _blend(tmp_path: Path, **settings: float) -> LinearIntentBlend:
    config = {**LinearIntentBlend.get_default_config(), "fine_tune_epochs": 3, **settings}
    storage = LocalModelStorage(tmp_path)
    blend = LinearIntentBlend.create(config, storage, Resource("blend"), ExecutionContext(GraphSchema({}), "t"))
    blend.train(training_data())
    return LinearIntentBlend.load(config, storage, Resource("blend"), ExecutionContext(GraphSchema({}), "t"))


def test_when_the_ngrams_are_unsure_the_fine_tuned_answer_is_mixed_in_after_loading(tmp_path: Path) -> None:
    blend = _blend(tmp_path, sentence_weight=0.0, fine_tuned_below=1.01, fine_tuned_weight=0.5)
    trained = blend.model
    assert trained.fine_tuned is not None and trained.with_sentences is None
    text = "my partner sits outside my office"
    ngrams = trained.ngrams.predict_proba([text])[0]
    expected = 0.5 * ngrams + 0.5 * trained.fine_tuned.probabilities(text)
    answer = blend._fast.probabilities(text)
    assert [answer[c] for c in trained.fine_tuned.classes] == pytest.approx(expected.tolist(), abs=1e-6)


def test_with_both_second_readers_the_fine_tuned_answer_is_mixed_with_the_sentence_models(tmp_path: Path) -> None:
    """Below both thresholds: the model that reads the frozen vector answers, and the fine-tuned
    model is mixed into its answer (what cross-validation chose, docs/nlu-classifier.md)."""
    from bot.nlu.linear_blend import sentence_features

    blend = _blend(tmp_path, sentence_below=1.01, fine_tuned_below=1.01, fine_tuned_weight=0.4)
    trained = blend.model
    text = "my partner sits outside my office"
    features = sentence_features(trained.ngrams.steps[0][1].transform([text]), encoder().encode([text]),
                                 trained.sentence_weight)
    frozen = trained.with_sentences.predict_proba(features)[0]
    expected = 0.6 * frozen + 0.4 * trained.fine_tuned.probabilities(text)
    answer = blend._fast.probabilities(text)
    assert [answer[c] for c in trained.fine_tuned.classes] == pytest.approx(expected.tolist(), abs=1e-5)


def test_the_shared_lower_layers_give_both_vectors_exactly(tuned) -> None:
    text = "she reads all my messages and tracks my phone"
    frozen, fine = encoder().encode_pair(text, tuned.upper)
    assert frozen == pytest.approx(encoder().encode([text])[0], abs=1e-5)
    assert fine == pytest.approx(encoder().encode([text], upper=tuned.upper)[0], abs=1e-5)


def test_a_sure_ngram_guess_never_runs_the_fine_tuned_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.nlu import sentence_encoder

    blend = _blend(tmp_path, sentence_below=0.0, fine_tuned_below=0.0)
    monkeypatch.setattr(sentence_encoder, "encoder", lambda: pytest.fail("the encoder ran"))
    assert max(blend._fast.probabilities("he follows me home").values()) > 0.0


def test_a_broken_encoder_leaves_the_ngram_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.nlu import sentence_encoder

    blend = _blend(tmp_path, sentence_below=1.01, fine_tuned_below=1.01)

    def broken() -> None:
        raise MemoryError("no room")

    monkeypatch.setattr(sentence_encoder, "encoder", broken)
    text = "he follows me home from work"
    ngrams = blend.model.ngrams
    assert blend._fast.probabilities(text) == pytest.approx(
        dict(zip(ngrams.classes_, ngrams.predict_proba([text])[0], strict=True)))


def test_the_fine_tuned_model_never_takes_danger_away(tmp_path: Path) -> None:
    """"hes outsid my windo rite now": the n-grams said danger and the fine-tuned model, mixed
    in, said coercive control; a danger reply must not become a question back."""
    config = {**LinearIntentBlend.get_default_config(), "fine_tune_epochs": 1, "sentence_weight": 0.0,
              "fine_tuned_below": 1.01}
    blend = LinearIntentBlend.create(config, LocalModelStorage(tmp_path), Resource("blend"),
                                     ExecutionContext(GraphSchema({}), "t"))
    danger = ["he's outside my door right now", "he has a knife and is coming for me",
              "help he's breaking in", "he's here and going to kill me"]
    blend.train(training_data([(t, "immediate_danger") for t in danger]))
    scorer = blend._fast
    greet = np.array([1.0 if c == "greet" else 0.0 for c in scorer.classes])
    scorer._fine_tuned.read = lambda vector: greet  # a fine-tuned model sure of the wrong thing

    said_danger = scorer.probabilities("he's outside my window right now")
    assert max(said_danger, key=said_danger.get) == "immediate_danger"
    said_stalking = scorer.probabilities("he follows me home every night")
    assert said_stalking["greet"] >= 0.5  # elsewhere the mix is applied as configured
