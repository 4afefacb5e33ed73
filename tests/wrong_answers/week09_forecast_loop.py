"""Wrong answer: ``model_forecast`` calls ``model.predict`` once per window.

The course's first forecasting loop: the forecasts are right, but the model runs 100
times for 100 windows, each call costing a full ``predict`` set-up.

week: week09_forecasting
fails: test_3_model_forecast.py::test_the_model_runs_on_batches
"""

CHANGES = [
    (
        "    dataset = tf.data.Dataset.from_tensor_slices(series)\n"
        "    dataset = dataset.window(window_size, shift=1, drop_remainder=True)\n"
        "    dataset = dataset.flat_map(lambda window: window.batch(window_size))\n"
        "    dataset = dataset.batch(batch_size).prefetch(1)\n"
        "    return model.predict(dataset, verbose=0)[:, 0]\n",
        "    forecast = []\n"
        "    for start in range(len(series) - window_size + 1):\n"
        "        window = series[start : start + window_size][np.newaxis]\n"
        "        forecast.append(model.predict(window, verbose=0)[0, 0])\n"
        "    return np.array(forecast)\n",
    ),
]
