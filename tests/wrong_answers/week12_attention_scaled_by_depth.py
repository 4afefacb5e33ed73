"""Wrong answer: the attention scores are divided by ``depth`` instead of ``sqrt(depth)``.

The weights come out too flat (for depth 8 the scores shrink by another factor of 2.8);
the output is still the weights times ``v`` and the mask still works.

week: week12_transformers
fails: test_3_attention.py::test_attention_weights
"""

CHANGES = [
    (
        "    scores = scores / tf.math.sqrt(depth)\n",
        "    scores = scores / depth\n",
    ),
]
