"""Wrong answer: fit_line returns the example's answer instead of fitting.

week: week01_tensors
fails: test_2_gradients.py::test_fit_line
"""

CHANGES = [
    (
        '    """\n    xs = tf.constant(xs, dtype=tf.float32)\n',
        '    """\n    return 3.0, 2.0\n    xs = tf.constant(xs, dtype=tf.float32)\n',
    ),
]
