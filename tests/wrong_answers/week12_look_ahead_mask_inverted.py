"""Wrong answer: the look-ahead mask follows the older TensorFlow tutorial's convention.

``1 - band_part(ones, -1, 0)``: True above the diagonal, on the future words, meaning
"masked". The course (and Keras's ``MultiHeadAttention``) reads True as "may attend", so
this mask would let every word see only the words after it.

week: week12_transformers
fails: test_2_masks.py::test_look_ahead_mask
"""

CHANGES = [
    (
        "    return tf.cast(tf.linalg.band_part(tf.ones((size, size)), -1, 0), tf.bool)\n",
        "    return tf.cast(1 - tf.linalg.band_part(tf.ones((size, size)), -1, 0), tf.bool)\n",
    ),
]
