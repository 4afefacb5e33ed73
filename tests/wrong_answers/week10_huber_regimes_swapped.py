"""Wrong answer: ``make_huber_loss`` uses the two formulas in the wrong regimes.

``keras.ops.where(small, linear, squared)``: the linear part for the small errors and
``0.5 * e**2`` for the large ones, so the loss grows fastest exactly where it should not.

week: week10_custom_components
fails: test_1_huber_function.py::test_huber_function_in_both_regimes
"""

CHANGES = [
    (
        "        return keras.ops.mean(keras.ops.where(small, squared, linear), axis=-1)\n",
        "        return keras.ops.mean(keras.ops.where(small, linear, squared), axis=-1)\n",
    ),
]
