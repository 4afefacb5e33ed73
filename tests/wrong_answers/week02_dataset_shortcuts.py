"""Wrong answer: make_dataset always shuffles, with a buffer of 1,000, and never prefetches.

Training still reaches the accuracy threshold; the dataset checks name each shortcut.

week: week02_fashion_mnist
fails: test_2_dataset.py::test_dataset_shuffles
fails: test_2_dataset.py::test_dataset_keeps_order
fails: test_2_dataset.py::test_dataset_prefetches
"""

CHANGES = [
    (
        "    if shuffle:\n        dataset = dataset.shuffle(buffer_size=len(x))\n    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)\n",
        "    return dataset.shuffle(buffer_size=1_000).batch(batch_size)\n",
    ),
]
