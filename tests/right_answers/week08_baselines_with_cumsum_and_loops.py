"""Right answer: the baselines with ``np.roll``, a cumulative sum and loops over the steps.

The naive forecast is ``np.roll(series, 1)[split_time:]`` (the series shifted one step
late); the moving average comes from differences of a cumulative sum instead of
``np.convolve``; the differenced and smoothed forecasts loop over the validation steps and
compute, for each ``t``, the mean change over the last ``window_size`` steps from a season
before plus the past value (or the mean of the ``smoothing_window`` values centred a season
before), without building the differenced series.

week: week08_time_series
"""

CHANGES = [
    (
        "    return series[split_time - 1 : -1]\n",
        "    return np.roll(series, 1)[split_time:]\n",
    ),
    (
        "    kernel = np.ones(window_size) / window_size\n"
        '    # "valid" gives the mean of every window; the last one forecasts a step after the end.\n'
        '    return np.convolve(series, kernel, mode="valid")[:-1]\n',
        '    totals = np.cumsum(np.concatenate([[0.0], np.asarray(series, dtype="float64")]))\n'
        "    # totals[k] is the sum of the first k values: a window's sum is a difference.\n"
        "    return (totals[window_size:-1] - totals[: -window_size - 1]) / window_size\n",
    ),
    (
        "    differences = series[period:] - series[:-period]\n"
        "    averages = moving_average_forecast(differences, window_size)[\n"
        "        split_time - period - window_size :\n"
        "    ]\n"
        "    return series[split_time - period : len(series) - period] + averages\n",
        '    values = np.asarray(series, dtype="float64")\n'
        "    forecasts = []\n"
        "    for t in range(split_time, len(values)):\n"
        "        now = values[t - window_size : t]\n"
        "        season_before = values[t - period - window_size : t - period]\n"
        "        forecasts.append(values[t - period] + np.mean(now - season_before))\n"
        "    return np.array(forecasts)\n",
    ),
    (
        "    differences = series[period:] - series[:-period]\n"
        "    averages = moving_average_forecast(differences, window_size)[\n"
        "        split_time - period - window_size :\n"
        "    ]\n"
        "    start = split_time - period - smoothing_window // 2\n"
        "    end = len(series) - period + smoothing_window - smoothing_window // 2\n"
        "    return moving_average_forecast(series[start:end], smoothing_window) + averages\n",
        '    values = np.asarray(series, dtype="float64")\n'
        "    forecasts = np.empty(len(values) - split_time)\n"
        "    for index, t in enumerate(range(split_time, len(values))):\n"
        "        first = t - period - smoothing_window // 2\n"
        "        past = values[first : first + smoothing_window].mean()\n"
        "        now = values[t - window_size : t]\n"
        "        season_before = values[t - period - window_size : t - period]\n"
        "        forecasts[index] = past + (now - season_before).mean()\n"
        "    return forecasts\n",
    ),
]
