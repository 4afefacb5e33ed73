"""Wrong answer: ``compute_loss`` averages over the replica's own examples.

``tf.reduce_mean(per_example_loss)`` divides by the 8 examples of a replica instead of the
global batch of 16: the gradients the strategy sums across the 2 replicas are twice those of
the global batch's mean loss, so the update is twice one ordinary step, and the SUM of the
per-replica means is twice the mean loss.

week: week13_distribution
fails: test_4_custom_step.py::test_compute_loss_divides_by_the_global_batch
fails: test_4_custom_step.py::test_distributed_step_equals_one_step_on_the_global_batch
fails: test_4_custom_step.py::test_distributed_step_returns_the_mean_loss
"""

CHANGES = [
    (
        "    return tf.nn.compute_average_loss(per_example_loss, global_batch_size=global_batch_size)\n",
        "    return tf.reduce_mean(per_example_loss)\n",
    ),
]
