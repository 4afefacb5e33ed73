"""Wrong answer: normalize divides by the maximum and forgets the minimum.

week: week01_tensors
fails: test_1_tensors.py::test_normalize_values
fails: test_1_tensors.py::test_normalize_constant_input
"""

CHANGES = [
    (
        "    low, high = tf.reduce_min(x), tf.reduce_max(x)\n    span = high - low\n    return tf.where(span > 0, (x - low) / tf.where(span > 0, span, 1.0), tf.zeros_like(x))\n",
        "    return x / tf.reduce_max(x)\n",
    ),
]
