"""Right answer: the metrics in TensorFlow, the split with ``np.split``, the season by ``np.mod``.

``mean_squared_error`` and ``mean_absolute_error`` cast both arrays to float64 tensors and
reduce with ``tf.reduce_mean``, returning ``float(...)``; ``split_series`` cuts both arrays
with ``np.split(..., [split_time])``; ``seasonality`` shifts ``time`` by the phase and takes
``np.mod`` before dividing by the period; ``generate_series`` adds its parts one at a time
into a float64 array and casts at the end.

week: week08_time_series
"""

CHANGES = [
    (
        "    season_time = ((time + phase) % period) / period\n"
        "    return amplitude * seasonal_pattern(season_time)\n",
        "    shifted = np.asarray(time) + phase\n"
        "    return seasonal_pattern(np.mod(shifted, period) / period) * amplitude\n",
    ),
    (
        "    series = (\n"
        "        baseline\n"
        "        + trend(time, slope)\n"
        "        + seasonality(time, period, amplitude)\n"
        "        + noise(time, noise_level, seed)\n"
        "    )\n"
        '    return series.astype("float32")\n',
        '    series = np.full(len(time), baseline, dtype="float64")\n'
        "    series += trend(time, slope)\n"
        "    series += seasonality(time, period, amplitude)\n"
        "    series += noise(time, noise_level, seed)\n"
        "    return series.astype(np.float32)\n",
    ),
    (
        "    return time[:split_time], series[:split_time], time[split_time:], series[split_time:]\n",
        "    time_train, time_valid = np.split(time, [split_time])\n"
        "    series_train, series_valid = np.split(series, [split_time])\n"
        "    return time_train, series_train, time_valid, series_valid\n",
    ),
    (
        '    errors = np.asarray(forecast, dtype="float64") - np.asarray(actual, dtype="float64")\n'
        "    return float(np.mean(errors**2))\n",
        "    errors = tf.cast(forecast, tf.float64) - tf.cast(actual, tf.float64)\n"
        "    return float(tf.reduce_mean(tf.square(errors)))\n",
    ),
    (
        '    errors = np.asarray(forecast, dtype="float64") - np.asarray(actual, dtype="float64")\n'
        "    return float(np.mean(np.abs(errors)))\n",
        "    errors = tf.cast(forecast, tf.float64) - tf.cast(actual, tf.float64)\n"
        "    return float(tf.reduce_mean(tf.abs(errors)))\n",
    ),
]
