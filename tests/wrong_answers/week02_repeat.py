"""Wrong answer: make_dataset repeats forever; train_model sets steps_per_epoch to cope.

Training works and reaches the threshold; the dataset is not one pass over the data, which
the two checks about batches and examples say (the worker reads an infinite dataset for
1,000 batches only, so this costs seconds, not the time limit).

week: week02_fashion_mnist
fails: test_2_dataset.py::test_dataset_batch_sizes
fails: test_2_dataset.py::test_dataset_every_example_once
"""

CHANGES = [
    (
        "    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)\n",
        "    return dataset.repeat().batch(batch_size).prefetch(tf.data.AUTOTUNE)\n",
    ),
    (
        "    return model.fit(dataset, epochs=5, verbose=2)\n",
        "    return model.fit(dataset, epochs=5, steps_per_epoch=len(x_train) // 64, verbose=2)\n",
    ),
]
