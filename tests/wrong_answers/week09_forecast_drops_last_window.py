"""Wrong answer: ``model_forecast`` cuts windows like ``windowed_dataset``, a value too long.

``window(window_size + 1)`` and ``batch(window_size + 1)``, then ``w[:-1]``: the same
windows, but the last one, which ends with the series, is never made: one forecast short.

week: week09_forecasting
fails: test_3_model_forecast.py::test_one_forecast_per_window
"""

CHANGES = [
    (
        "    dataset = dataset.window(window_size, shift=1, drop_remainder=True)\n"
        "    dataset = dataset.flat_map(lambda window: window.batch(window_size))\n",
        "    dataset = dataset.window(window_size + 1, shift=1, drop_remainder=True)\n"
        "    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))\n"
        "    dataset = dataset.map(lambda window: window[:-1])\n",
    ),
]
