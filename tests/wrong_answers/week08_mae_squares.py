"""Wrong answer: the mean absolute error squares the errors.

``np.mean(errors**2)`` in ``mean_absolute_error``: it returns the mean squared error.

week: week08_time_series
fails: test_2_metrics.py::test_mean_absolute_error
"""

CHANGES = [
    (
        "    return float(np.mean(np.abs(errors)))\n",
        "    return float(np.mean(errors**2))\n",
    ),
]
