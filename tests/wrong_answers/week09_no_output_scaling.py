"""Wrong answer: the recurrent forecaster lost its output scaling with the Lambda layer.

The final ``Rescaling(100.0)`` is left out: the LSTM's outputs stay near -1..1 and the
Dense layer cannot stretch them to values around 50 in 10 epochs. The validation MAE is
about 60, ten times the naive forecast's.

week: week09_forecasting
fails: test_2_training.py::test_recurrent_forecaster_learns_the_series
"""

CHANGES = [
    (
        "            keras.layers.LSTM(32),\n"
        "            keras.layers.Dense(1),\n"
        "            keras.layers.Rescaling(100.0),\n",
        "            keras.layers.LSTM(32),\n            keras.layers.Dense(1),\n",
    ),
]
