"""Wrong answer: the windows are one value short (off by one).

``window(window_size)`` and ``batch(window_size)`` instead of ``window_size + 1``: after
splitting off the label, the features hold ``window_size - 1`` values. Each window still
runs on into its label, so the shuffled checks pass; the shapes and the first window do
not.

week: week08_time_series
fails: test_4_windows.py::test_batches_have_the_right_shapes_and_dtypes
fails: test_4_windows.py::test_unshuffled_windows_follow_the_series
"""

CHANGES = [
    (
        "    dataset = dataset.window(window_size + 1, shift=1, drop_remainder=True)\n",
        "    dataset = dataset.window(window_size, shift=1, drop_remainder=True)\n",
    ),
    (
        "    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))\n",
        "    dataset = dataset.flat_map(lambda window: window.batch(window_size))\n",
    ),
]
