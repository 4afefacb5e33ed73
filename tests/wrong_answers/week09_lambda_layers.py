"""Wrong answer: the recurrent forecaster uses the classic Lambda layers.

``Lambda(lambda x: tf.expand_dims(x, axis=-1))`` instead of ``Reshape((window_size, 1))``
and ``Lambda(lambda x: x * 100.0)`` instead of the final ``Rescaling(100.0)``: the model
computes the same thing, but its Python code does not survive a rebuild from its config,
so the grader cannot evaluate it; the training check fails before training.

week: week09_forecasting
fails: test_1_models.py::test_forecasters_use_no_lambda_layers
fails: test_2_training.py::test_recurrent_forecaster_learns_the_series
"""

CHANGES = [
    (
        "            keras.layers.Reshape((window_size, 1)),\n"
        "            keras.layers.Rescaling(1 / 100),\n"
        "            keras.layers.LSTM(32),\n"
        "            keras.layers.Dense(1),\n"
        "            keras.layers.Rescaling(100.0),\n",
        "            keras.layers.Lambda(lambda x: tf.expand_dims(x, axis=-1)),\n"
        "            keras.layers.Rescaling(1 / 100),\n"
        "            keras.layers.LSTM(32),\n"
        "            keras.layers.Dense(1),\n"
        "            keras.layers.Lambda(lambda x: x * 100.0),\n",
    ),
]
