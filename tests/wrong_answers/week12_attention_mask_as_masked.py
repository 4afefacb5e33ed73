"""Wrong answer: the attention adds ``mask * -1e9`` to the scores, the tutorial's convention.

That convention reads 1 as "masked"; the course's masks (and Keras's) use True for "may
attend", so the keys that should be attended to get (almost) no weight and the padding
gets all of it.

week: week12_transformers
fails: test_3_attention.py::test_masked_keys_get_no_weight
"""

CHANGES = [
    (
        "        scores = tf.where(tf.cast(mask, tf.bool), scores, tf.constant(-1e9, scores.dtype))\n",
        "        scores += tf.cast(mask, scores.dtype) * -1e9\n",
    ),
]
