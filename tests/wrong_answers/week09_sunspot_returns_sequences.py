"""Wrong answer: the sunspot forecaster's LSTM returns its whole sequence.

``LSTM(32, return_sequences=True)``: the Dense layers then work on every step, and the
model's output has shape ``(None, 30, 1)``, one forecast per step of each window instead of
one per window. The training check fails on the shape, before training.

week: week09_forecasting
fails: test_1_models.py::test_sunspot_forecaster_shapes
fails: test_4_sunspots.py::test_sunspot_forecaster_beats_the_naive_forecast
"""

CHANGES = [
    (
        '            keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),\n'
        "            keras.layers.LSTM(32),\n",
        '            keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),\n'
        "            keras.layers.LSTM(32, return_sequences=True),\n",
    ),
]
