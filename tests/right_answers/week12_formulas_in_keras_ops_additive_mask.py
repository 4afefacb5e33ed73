"""Right answer: masks and attention with ``keras.ops``, numpy and an additive mask.

``create_padding_mask`` is ``keras.ops.expand_dims(keras.ops.not_equal(ids, 0), 1)``;
``create_look_ahead_mask`` wraps ``np.tril`` of a boolean matrix in a tensor;
``scaled_dot_product_attention`` computes the scores with ``keras.ops.einsum`` over any
leading axes, scales them by ``keras.ops.rsqrt(depth)``, and masks by adding ``-1e9`` where
the mask is False (``(1 - mask) * -1e9``, the course's True = may attend convention) before
``keras.ops.softmax``.

week: week12_transformers
"""

CHANGES = [
    (
        "    return tf.not_equal(token_ids, 0)[:, tf.newaxis, :]\n",
        "    return keras.ops.expand_dims(keras.ops.not_equal(token_ids, 0), axis=1)\n",
    ),
    (
        "    return tf.cast(tf.linalg.band_part(tf.ones((size, size)), -1, 0), tf.bool)\n",
        "    return tf.constant(np.tril(np.ones((size, size), dtype=bool)))\n",
    ),
    (
        "    scores = tf.matmul(q, k, transpose_b=True)\n"
        "    depth = tf.cast(tf.shape(k)[-1], scores.dtype)\n"
        "    scores = scores / tf.math.sqrt(depth)\n"
        "    if mask is not None:\n"
        "        scores = tf.where(tf.cast(mask, tf.bool), scores, tf.constant(-1e9, scores.dtype))\n"
        "    weights = tf.nn.softmax(scores, axis=-1)\n"
        "    return tf.matmul(weights, v), weights\n",
        '    scores = keras.ops.einsum("...qd,...kd->...qk", q, k)\n'
        "    depth = keras.ops.cast(keras.ops.shape(k)[-1], scores.dtype)\n"
        "    scores = scores * keras.ops.rsqrt(depth)\n"
        "    if mask is not None:\n"
        "        hidden = 1.0 - keras.ops.cast(mask, scores.dtype)\n"
        "        scores = scores + hidden * -1e9\n"
        "    weights = keras.ops.softmax(scores, axis=-1)\n"
        "    return keras.ops.matmul(weights, v), weights\n",
    ),
]
