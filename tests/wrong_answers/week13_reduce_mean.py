"""Wrong answer: ``distributed_train_step`` reduces the per-replica losses with MEAN.

The update is right, but each replica's loss is already its share of the global mean
(divided by the global batch size): their MEAN is half the mean loss with 2 replicas.

week: week13_distribution
fails: test_4_custom_step.py::test_distributed_step_returns_the_mean_loss
"""

CHANGES = [
    (
        "    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None)\n",
        "    return strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica_losses, axis=None)\n",
    ),
]
