"""Wrong answer: the global batch size is the per-replica batch size.

``global_batch_size`` ignores the number of replicas. The distributed dataset then batches 8
examples and the strategy gives each replica 4 of them; ``fit`` takes batches of 64, split
into 32 per replica, and makes 100 steps per epoch instead of 50.

week: week13_distribution
fails: test_2_batches.py::test_global_batch_size
fails: test_2_batches.py::test_distributed_dataset_batches
fails: test_5_fit.py::test_fit_uses_global_batches
"""

CHANGES = [
    (
        "    return int(per_replica_batch_size * strategy.num_replicas_in_sync)\n",
        "    return int(per_replica_batch_size)\n",
    ),
]
