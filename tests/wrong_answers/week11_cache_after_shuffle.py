"""Wrong answer: the pipeline caches after shuffling.

Every example still comes once per pass, but the cache stores the first epoch's shuffled
order and every later epoch replays it.

week: week11_training_loops
fails: test_2_dataset.py::test_dataset_maps_caches_and_prefetches
"""

CHANGES = [
    (
        "    dataset = dataset.map(to_float32, num_parallel_calls=tf.data.AUTOTUNE).cache()\n"
        "    if shuffle:\n"
        "        dataset = dataset.shuffle(len(features))\n"
        "    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)\n",
        "    dataset = dataset.map(to_float32, num_parallel_calls=tf.data.AUTOTUNE)\n"
        "    if shuffle:\n"
        "        dataset = dataset.shuffle(len(features))\n"
        "    return dataset.cache().batch(batch_size).prefetch(tf.data.AUTOTUNE)\n",
    ),
]
