# %%
"""Week 12: attention and the Transformer encoder, from the formulas to a text classifier.

Goal: build the parts of a Transformer encoder yourself and see what each one does. First
the pieces "Attention Is All You Need" (Vaswani et al., 2017) writes as formulas: the
sinusoidal positional encoding, the masks that hide padding and future words, and scaled
dot-product attention. Then two Keras layers of your own, an embedding that adds position
information to word vectors and an encoder block (multi-head self-attention, a feed-forward
network, residual connections, layer normalisation and dropout), and finally a sentiment
classifier built from them.

Data: the graders use the 10,568 Rotten Tomatoes review sentences rated positive or
negative (Hutto & Gilbert 2014, shipped in the ``vaderSentiment`` sdist;
``course.datasets.rotten_tomatoes()``), the same sentences as weeks 6 and 7; the IMDB
reviews of the classic version of this exercise are not shipped by any package registry.
The grader turns the sentences into word ids itself, so exercise 12.7 never sees text.

Exercises:
    12.1 ``positional_encoding``           the sinusoidal encoding, sin and cos interleaved
    12.2 ``create_padding_mask``           True where a token is a real word, not padding
    12.3 ``create_look_ahead_mask``        True where a word may look: itself and earlier
    12.4 ``scaled_dot_product_attention``  softmax(q k^T / sqrt(depth)) v, with a mask
    12.5 ``TokenAndPositionEmbedding``     word vectors plus position vectors
    12.6 ``TransformerBlock``              one encoder block: attention, feed-forward, norms
    12.7 ``build_transformer_classifier``  the two layers above, pooling, a sigmoid unit

Mask convention, used by every exercise here: ``True`` (or 1) means **may attend**,
``False`` (or 0) means masked. It is the convention of ``keras.layers.MultiHeadAttention``'s
``attention_mask``, so these masks can be passed to it unchanged. (The older TensorFlow
Transformer tutorial uses the opposite one, 1 = masked, and adds ``mask * -1e9`` to the
scores; do not mix the two.)

Allowed: TensorFlow, Keras, numpy and the standard library. Importing this module must not
train anything, read files or download anything.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

# -- The formulas ----------------------------------------------------------------------------


# %%
def positional_encoding(length: int, depth: int) -> np.ndarray:
    """Exercise 12.1: the sinusoidal positional encoding, shape ``(length, depth)``, float32.

    Row ``pos`` (0 to ``length - 1``) encodes position ``pos``; ``depth`` is even. The
    course uses the paper's layout, **sin and cos interleaved**: columns ``2i`` and
    ``2i + 1`` share the angle ``pos / 10000 ** (2i / depth)``, column ``2i`` holds its sine
    and column ``2i + 1`` its cosine::

        PE[pos, 2i]     = sin(pos / 10000 ** (2i / depth))
        PE[pos, 2i + 1] = cos(pos / 10000 ** (2i / depth))

    (The newer TensorFlow tutorial concatenates instead, all sines then all cosines; that is
    the same information in another column order, but not this exercise's.) Row 0 is
    ``[0, 1, 0, 1, ...]``; for depth 4, row 1 is ``[sin 1, cos 1, sin 0.01, cos 0.01]`` =
    ``[0.841471, 0.540302, 0.010000, 0.999950]``. Return a float32 numpy array or tensor.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def create_padding_mask(token_ids: tf.Tensor) -> tf.Tensor:
    """Exercise 12.2: which keys are real words, shape ``(batch, 1, sequence_length)``.

    ``token_ids`` is an integer tensor of shape ``(batch, sequence_length)`` in which id 0
    is padding. Return a boolean tensor with ``mask[b, 0, j]`` True when ``token_ids[b, j]``
    is not 0 (the word may be attended to) and False where it is padding. The middle axis of
    size 1 lets the mask broadcast over every query position, as
    ``keras.layers.MultiHeadAttention(...)(x, x, attention_mask=mask)`` expects. For
    ``[[7, 3, 0]]`` the result is ``[[[True, True, False]]]``.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def create_look_ahead_mask(size: int) -> tf.Tensor:
    """Exercise 12.3: which earlier words each word may see, shape ``(size, size)``.

    Row ``i`` is query position ``i``, column ``j`` key position ``j``: ``mask[i, j]`` is
    True when ``j <= i`` (a word may attend to itself and the words before it) and False
    for the words after it, which a decoder must not see. A boolean tensor: for size 3,
    ``[[True, False, False], [True, True, False], [True, True, True]]``, the lower triangle
    with its diagonal (``tf.linalg.band_part`` or ``np.tril`` make it).
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def scaled_dot_product_attention(
    q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor | None = None
) -> tuple[tf.Tensor, tf.Tensor]:
    """Exercise 12.4: ``softmax(q k^T / sqrt(depth)) v``; return ``(output, weights)``.

    ``q`` has shape ``(..., seq_q, depth)``, ``k`` ``(..., seq_k, depth)`` and ``v``
    ``(..., seq_k, depth_v)``, float32 tensors with the same leading axes (batch, heads...).
    The scores ``q k^T`` (shape ``(..., seq_q, seq_k)``: one row per query, one column per
    key) are divided by the square root of ``depth``, the last axis of ``k``. ``mask`` is
    None (every key may be attended to) or a boolean tensor that broadcasts to the scores'
    shape, True where the query may attend to the key (see the convention above): put a
    large negative number (-1e9) in the scores where the mask is False, so that those keys
    get a weight of (almost) 0. The weights are the softmax of the scores over the keys,
    the last axis: each row sums to 1. The output, shape ``(..., seq_q, depth_v)``, is
    ``weights @ v``.

    Return the tuple ``(output, weights)``, the output first.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# -- Layers ----------------------------------------------------------------------------------


# %%
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Exercise 12.5: a word vector plus a position vector for every token id.

    ``TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)`` takes a batch of token ids,
    shape ``(batch, sequence_length)`` with ``sequence_length <= maxlen`` (shorter inputs
    too), and returns float vectors of shape ``(batch, sequence_length, embed_dim)``: the
    vector of token ``ids[b, t]`` plus the vector of position ``t``, so that the same word
    at two positions gets two different vectors. The token vectors come from
    ``keras.layers.Embedding(vocab_size, embed_dim)``; the position vectors either from a
    second, trainable ``Embedding(maxlen, embed_dim)`` applied to ``0, 1, ...,
    sequence_length - 1`` (as in the Keras code example) or from your
    ``positional_encoding(maxlen, embed_dim)``, a constant. Add them; do not concatenate.
    """

    def __init__(self, maxlen: int, vocab_size: int, embed_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # YOUR CODE HERE
        raise NotImplementedError("Write your solution here")

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        # YOUR CODE HERE
        raise NotImplementedError("Write your solution here")


# %%
class TransformerBlock(keras.layers.Layer):
    """Exercise 12.6: one Transformer encoder block; the output has the input's shape.

    ``TransformerBlock(embed_dim, num_heads, ff_dim, rate)`` maps ``(batch, sequence_length,
    embed_dim)`` to the same shape with two sub-layers, each wrapped in a residual
    connection and a ``keras.layers.LayerNormalization`` (default settings, or
    ``epsilon=1e-6``):

    1. self-attention: ``keras.layers.MultiHeadAttention(num_heads=num_heads,
       key_dim=embed_dim // num_heads)`` called as ``attention(x, x,
       attention_mask=attention_mask)``: each head works in ``embed_dim // num_heads``
       dimensions, so all heads together cost as much as one head of ``embed_dim`` would.
       ``h`` heads of ``key_dim`` ``k`` on ``d``-dimensional inputs have query, key and
       value kernels ``(d, h, k)`` with biases ``(h, k)`` and an output kernel ``(h, k, d)``
       with a bias ``(d,)``: ``4*h*k*d + 3*h*k + d`` parameters, which is ``4*d*(d + 1)``
       for ``k = d / h`` (4,224 for d = 32). The Keras code example's ``key_dim=embed_dim``
       is not this exercise's;
    2. a position-wise feed-forward network: ``Dense(ff_dim, activation="relu")`` then
       ``Dense(embed_dim)``.

    Dropout with rate ``rate`` (``keras.layers.Dropout``) on the output of each sub-layer
    before its residual addition; it must be active in training only (``training=True``)
    and do nothing at inference. Post-norm, as the paper and the Keras example do it::

        y = LayerNorm1(x + Dropout1(Attention(x, x)))
        output = LayerNorm2(y + Dropout2(FeedForward(y)))

    Pre-norm (``y = x + Dropout1(Attention(LayerNorm1(x), ...))``, ``output = y +
    Dropout2(FeedForward(LayerNorm2(y)))``) is accepted too; the residual additions are
    not optional in either. ``call(inputs, training=None, attention_mask=None)``: pass
    ``attention_mask`` (True = may attend, as ``create_padding_mask`` makes it) to the
    attention layer unchanged, so that padding tokens do not influence the real words.
    """

    def __init__(
        self, embed_dim: int, num_heads: int, ff_dim: int, rate: float = 0.1, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        # YOUR CODE HERE
        raise NotImplementedError("Write your solution here")

    def call(
        self,
        inputs: tf.Tensor,
        training: bool | None = None,
        attention_mask: tf.Tensor | None = None,
    ) -> tf.Tensor:
        # YOUR CODE HERE
        raise NotImplementedError("Write your solution here")


# -- The classifier --------------------------------------------------------------------------


# %%
def build_transformer_classifier(vocab_size: int, maxlen: int) -> keras.Model:
    """Exercise 12.7: a sentiment classifier made of your two layers; compiled, untrained.

    Input: a batch of ``maxlen`` token ids (``keras.Input(shape=(maxlen,))``; 0 is padding,
    on the right; every id is below ``vocab_size``). Layers:
    ``TokenAndPositionEmbedding(maxlen, vocab_size, 32)``, ``TransformerBlock(32, 2, 32)``,
    ``keras.layers.GlobalAveragePooling1D()``, ``Dropout(0.1)``, ``Dense(20,
    activation="relu")``, ``Dropout(0.1)``, ``Dense(1, activation="sigmoid")``: the output,
    shape ``(batch, 1)``, is the probability that the sentence is positive. Compile with
    ``optimizer="adam"``, ``loss="binary_crossentropy"`` and ``metrics=["accuracy"]``.

    The grader trains it for 2 epochs (batch size 32) on 8,000 sentences (vocabulary 5,000,
    ``maxlen`` 40) and measures its accuracy on 2,568 sentences it did not see.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")
