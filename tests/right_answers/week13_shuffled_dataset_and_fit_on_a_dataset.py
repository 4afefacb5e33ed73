"""Right answer: the distributed dataset is shuffled; ``fit`` trains on a ``tf.data`` pipeline.

``distribute_dataset`` shuffles the pairs over the whole set (allowed: every example still
comes once per pass) and batches with the global batch size and ``drop_remainder=True``
(``len(x)`` is a multiple of it, so nothing is dropped) before
``experimental_distribute_dataset``; ``train_with_fit`` hands ``fit`` a shuffled dataset
batched with the global batch size instead of arrays and a ``batch_size``: the same 50
steps of 128 examples per epoch, 64 per replica.

week: week13_distribution
"""

CHANGES = [
    (
        "    dataset = tf.data.Dataset.from_tensor_slices((x, y))\n"
        "    dataset = dataset.batch(global_batch_size(per_replica_batch_size, strategy))\n"
        "    return strategy.experimental_distribute_dataset(dataset)\n",
        "    batch = global_batch_size(per_replica_batch_size, strategy)\n"
        "    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x))\n"
        "    dataset = dataset.batch(batch, drop_remainder=True)\n"
        "    return strategy.experimental_distribute_dataset(dataset)\n",
    ),
    (
        "    model = build_model(strategy)\n"
        "    model.fit(\n"
        "        x,\n"
        "        y,\n"
        "        batch_size=global_batch_size(per_replica_batch_size, strategy),\n"
        "        epochs=epochs,\n"
        "        verbose=0,\n"
        "    )\n"
        "    return model\n",
        "    batch = global_batch_size(per_replica_batch_size, strategy)\n"
        "    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(batch)\n"
        "    model = build_model(strategy)\n"
        "    model.fit(dataset.prefetch(tf.data.AUTOTUNE), epochs=epochs, verbose=0)\n"
        "    return model\n",
    ),
]
