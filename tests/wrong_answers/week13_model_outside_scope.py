"""Wrong answer: ``build_model`` creates its variables outside the given strategy's scope.

``with tf.distribute.get_strategy().scope():`` enters the scope of the default strategy (the
one in force, a single device), not of the strategy passed in. The model's variables (and
the optimizer's) are plain ``ResourceVariable`` objects with one copy, not
``MirroredVariable`` objects with one copy per replica; ``fit`` would train them on one
device.

week: week13_distribution
fails: test_3_model.py::test_model_variables_are_mirrored
"""

CHANGES = [
    (
        "    with strategy.scope():\n        model = keras.Sequential(\n",
        "    with tf.distribute.get_strategy().scope():\n        model = keras.Sequential(\n",
    ),
]
