"""Wrong answer: the moving average is misaligned by one step.

The means of ``np.convolve`` are taken from the second on (``[1:]``) instead of up to the
last but one (``[:-1]``): value ``i`` averages ``series[i + 1:i + window_size + 1]``, which
holds the step it forecasts. The differenced forecasts use this moving average, so they
are one step off as well.

week: week08_time_series
fails: test_3_baselines.py::test_moving_average_forecast
fails: test_3_baselines.py::test_differenced_forecast
fails: test_3_baselines.py::test_smoothed_differenced_forecast
"""

CHANGES = [
    (
        '    return np.convolve(series, kernel, mode="valid")[:-1]\n',
        '    return np.convolve(series, kernel, mode="valid")[1:]\n',
    ),
]
