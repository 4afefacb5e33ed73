"""Wrong answer: ``HuberLoss`` forgets the factor 0.5 of the small errors.

``keras.ops.square(error)`` below the threshold instead of ``0.5 * keras.ops.square(error)``:
the loss is twice too large there and jumps at the threshold. Its batches still average
their samples, and its configuration still round-trips.

week: week10_custom_components
fails: test_2_huber_class.py::test_huber_class_values_for_each_sample
"""

CHANGES = [
    (
        "            0.5 * keras.ops.square(error),\n",
        "            keras.ops.square(error),\n",
    ),
]
