"""Wrong answer: the naive forecast is not shifted by one step.

``series[split_time:]`` instead of ``series[split_time - 1:-1]``: each "forecast" is the
value it should predict, so its error on the validation period is 0.

week: week08_time_series
fails: test_3_baselines.py::test_naive_forecast
"""

CHANGES = [
    (
        "    return series[split_time - 1 : -1]\n",
        "    return series[split_time:]\n",
    ),
]
