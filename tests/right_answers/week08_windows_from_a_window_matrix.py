"""Right answer: ``windowed_dataset`` slices a numpy matrix of windows instead of ``window``.

``np.lib.stride_tricks.sliding_window_view(series, window_size + 1)`` holds every window of
``window_size + 1`` values, one per row, in the series' dtype; its columns split into the
features and the labels before ``from_tensor_slices((features, labels))``, which then
shuffles the (window, label) pairs, batches and prefetches. Same pairs, same shapes and
dtypes, shuffled before batching, one pass.

week: week08_time_series
"""

CHANGES = [
    (
        "    dataset = tf.data.Dataset.from_tensor_slices(series)\n"
        "    dataset = dataset.window(window_size + 1, shift=1, drop_remainder=True)\n"
        "    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))\n"
        "    dataset = dataset.shuffle(shuffle_buffer)\n"
        "    dataset = dataset.map(lambda window: (window[:-1], window[-1]))\n"
        "    return dataset.batch(batch_size).prefetch(1)\n",
        "    rows = np.lib.stride_tricks.sliding_window_view(np.asarray(series), window_size + 1)\n"
        "    features, labels = rows[:, :window_size], rows[:, window_size]\n"
        "    dataset = tf.data.Dataset.from_tensor_slices((features, labels))\n"
        "    dataset = dataset.shuffle(shuffle_buffer)\n"
        "    dataset = dataset.batch(batch_size)\n"
        "    return dataset.prefetch(1)\n",
    ),
]
