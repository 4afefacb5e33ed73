"""Wrong answer: the series' values are shuffled before the windows are cut.

``from_tensor_slices(series).shuffle(shuffle_buffer)``: the windows are runs of a shuffled
series, no longer consecutive values of the real one, and their labels do not follow them.
With ``shuffle_buffer=1`` nothing moves, so only the shuffled check fails.

week: week08_time_series
fails: test_4_windows.py::test_shuffled_windows_are_slices_of_the_series
"""

CHANGES = [
    (
        "    dataset = tf.data.Dataset.from_tensor_slices(series)\n",
        "    dataset = tf.data.Dataset.from_tensor_slices(series).shuffle(shuffle_buffer)\n",
    ),
    (
        "    dataset = dataset.shuffle(shuffle_buffer)\n",
        "",
    ),
]
