"""Wrong answer: the dataset shuffles whole batches instead of windows.

``batch(batch_size).shuffle(shuffle_buffer)``: the windows inside each batch stay in the
series' order; with all windows in one batch nothing moves.

week: week08_time_series
fails: test_4_windows.py::test_shuffled_windows_come_in_random_order
"""

CHANGES = [
    (
        "    dataset = dataset.shuffle(shuffle_buffer)\n",
        "",
    ),
    (
        "    return dataset.batch(batch_size).prefetch(1)\n",
        "    return dataset.batch(batch_size).shuffle(shuffle_buffer).prefetch(1)\n",
    ),
]
