"""Wrong answer: the split includes step ``split_time`` in the training period.

``[:split_time + 1]`` and ``[split_time + 1:]``: the training period has one step too many
and the validation period one too few.

week: week08_time_series
fails: test_1_series.py::test_split_series_at_the_split_time
"""

CHANGES = [
    (
        "    return time[:split_time], series[:split_time], time[split_time:], series[split_time:]\n",
        "    cut = split_time + 1\n    return time[:cut], series[:cut], time[cut:], series[cut:]\n",
    ),
]
