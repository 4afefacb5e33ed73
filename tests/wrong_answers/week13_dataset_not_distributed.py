"""Wrong answer: ``distribute_dataset`` returns the batched ``tf.data.Dataset`` as it is.

The global batches are right, but nobody splits them between the replicas: without
``strategy.experimental_distribute_dataset`` each element is one batch of 16 examples, not
two per-replica parts of 8.

week: week13_distribution
fails: test_2_batches.py::test_distributed_dataset_batches
"""

CHANGES = [
    (
        "    return strategy.experimental_distribute_dataset(dataset)\n",
        "    return dataset\n",
    ),
]
