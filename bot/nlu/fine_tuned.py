"""all-MiniLM-L6-v2 with its upper layers fine-tuned on our intents, for when the n-grams are unsure.

The package's sentence vector, read by a logistic regression, knows that "sits outside my office"
is near "waits outside my work", but it was trained to tell sentences apart in general, not
coercive control from harassment. Training its upper layers on our examples (the lower ones and
the vocabulary stay as published) moved the abuse-topic macro-F1 of 5-fold cross-validation on
the training data well past what the frozen vector gave (docs/nlu-classifier.md has the figures
and how they were made).

Training uses TensorFlow, which Rasa already installs, and runs inside `rasa train` (about two
minutes on two cores). Reading a message is numpy only, through bot/nlu/sentence_encoder.py with
the fine-tuned layers in place of the top ones: the same ~10 ms as the frozen vector, so the
classifier still reads it only when its n-grams are unsure (bot/nlu/linear_blend.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.nlu import sentence_encoder
from bot.nlu.sentence_encoder import Block

# The pooled vector is of unit length; scaled before the output layer so that its softmax can
# become sure (the cosine-style head fine-tuning settled on).
HEAD_SCALE = 10.0


@dataclass
class FineTunedHead:
    """What fine-tuning stores: the upper layers it trained and the output layer, in the
    classes' order of the n-gram model it sits beside."""

    classes: list[str]
    upper: list[Block]
    weight: np.ndarray  # (384, classes)
    bias: np.ndarray

    def probabilities(self, text: str) -> np.ndarray:
        return self.read(sentence_encoder.encoder().encode([text], upper=self.upper)[0])

    def read(self, vector: np.ndarray) -> np.ndarray:
        """Probabilities, in `classes` order, from the fine-tuned model's sentence vector."""
        from scipy.special import softmax

        return softmax(HEAD_SCALE * vector @ self.weight + self.bias)


@dataclass(frozen=True)
class FineTuneSettings:
    """Chosen in cross-validation on the training data (docs/nlu-classifier.md)."""

    frozen_layers: int = 2
    epochs: int = 5
    learning_rate: float = 1e-4
    head_learning_rate: float = 1e-3
    batch_size: int = 32
    dropout: float = 0.1
    seed: int = 7


def fine_tune(texts: list[str], intents: list[str], classes: list[str],
              settings: FineTuneSettings = FineTuneSettings()) -> FineTunedHead:
    """Train the layers above `frozen_layers` and an output layer on (texts, intents)."""
    import tensorflow as tf  # only when training: the bot reads messages with numpy

    encoder = sentence_encoder.encoder()
    ids = encoder.token_ids(texts)
    index = {name: i for i, name in enumerate(classes)}
    targets = np.array([index[intent] for intent in intents], dtype=np.int32)
    tf.keras.utils.set_random_seed(settings.seed)
    tf.config.experimental.enable_op_determinism()
    model = _UpperLayers(tf, encoder.blocks[settings.frozen_layers:], len(classes), encoder.heads,
                         encoder.eps, settings.dropout)
    body = model.body_variables()
    head = [model.weight, model.bias]
    body_optimiser = tf.keras.optimizers.Adam(settings.learning_rate)
    head_optimiser = tf.keras.optimizers.Adam(settings.head_learning_rate)

    # One graph for every batch shape: tracing one per (batch, length) held hundreds of MB.
    @tf.function(input_signature=[tf.TensorSpec([None, None, encoder.hidden], tf.float32),
                                  tf.TensorSpec([None, None], tf.float32), tf.TensorSpec([None], tf.int32)])
    def step(states_batch: tf.Tensor, mask: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            logits = model(states_batch, mask, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(target, logits))
        gradients = tape.gradient(loss, body + head)
        # (pairs by index: autograph's zip has no `strict`)
        body_optimiser.apply_gradients([(gradients[i], body[i]) for i in range(len(body))])
        head_optimiser.apply_gradients([(gradients[len(body) + i], head[i]) for i in range(len(head))])
        return loss

    # Batches of similar length (little padding), visited in a seeded random order each epoch.
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
    batches = [order[i:i + settings.batch_size] for i in range(0, len(order), settings.batch_size)]
    shuffle = np.random.default_rng(settings.seed)
    for _ in range(settings.epochs):
        shuffle.shuffle(batches)
        for batch in batches:
            padded, mask = encoder.lower_states([ids[i] for i in batch], settings.frozen_layers, PAD_TO)
            step(tf.constant(padded), tf.constant(mask), tf.constant(targets[batch]))
    return FineTunedHead(list(classes), model.export(), model.weight.numpy(), model.bias.numpy())


# Batches are padded to a multiple of this many tokens: TensorFlow's CPU kernels keep work
# buffers for each shape they see, and one per exact length held hundreds of MB in training.
PAD_TO = 16


class _UpperLayers:
    """The same arithmetic as sentence_encoder.MiniLMEncoder._run, in TensorFlow, with a
    mean-pooled, normalised output and a softmax layer on top."""

    def __init__(self, tf: object, blocks: list[Block], n_classes: int, heads: int, eps: float,
                 dropout: float) -> None:
        self.tf = tf
        self.blocks = [{part: (tf.Variable(w), tf.Variable(b)) for part, (w, b) in block.items()}
                       for block in blocks]
        hidden = blocks[0]["attention_out"][0].shape[0]
        self.heads, self.size, self.hidden, self.eps, self.dropout = heads, hidden // heads, hidden, eps, dropout
        self.weight = tf.Variable(tf.random.normal((hidden, n_classes), stddev=0.02, seed=1))
        self.bias = tf.Variable(tf.zeros(n_classes))

    def body_variables(self) -> list:
        return [v for block in self.blocks for pair in block.values() for v in pair]

    def _norm(self, x: object, weights: tuple) -> object:
        tf = self.tf
        mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) / tf.sqrt(variance + self.eps) * weights[0] + weights[1]

    def __call__(self, x: object, mask: object, training: bool = False) -> object:
        tf = self.tf
        batch, length = tf.shape(x)[0], tf.shape(x)[1]
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for block in self.blocks:
            qkv = tf.matmul(x, block["qkv"][0]) + block["qkv"][1]
            qkv = tf.transpose(tf.reshape(qkv, (batch, length, 3, self.heads, self.size)), (2, 0, 3, 1, 4))
            scores = tf.matmul(qkv[0], qkv[1], transpose_b=True) / np.sqrt(self.size) + bias
            context = tf.matmul(tf.nn.softmax(scores, axis=-1), qkv[2])
            context = tf.reshape(tf.transpose(context, (0, 2, 1, 3)), (batch, length, self.hidden))
            attention = tf.matmul(context, block["attention_out"][0]) + block["attention_out"][1]
            if training:
                attention = tf.nn.dropout(attention, self.dropout)
            x = self._norm(attention + x, block["attention_norm"])
            inner = tf.nn.gelu(tf.matmul(x, block["intermediate"][0]) + block["intermediate"][1], approximate=False)
            out = tf.matmul(inner, block["output"][0]) + block["output"][1]
            if training:
                out = tf.nn.dropout(out, self.dropout)
            x = self._norm(out + x, block["output_norm"])
        pooled = tf.reduce_sum(x * mask[:, :, None], 1) / tf.reduce_sum(mask, 1, keepdims=True)
        pooled = pooled / tf.norm(pooled, axis=1, keepdims=True)
        return tf.matmul(HEAD_SCALE * pooled, self.weight) + self.bias

    def export(self) -> list[Block]:
        return [{part: (w.numpy(), b.numpy()) for part, (w, b) in block.items()} for block in self.blocks]
