# %%
"""Week 13: training on several devices with tf.distribute.MirroredStrategy.

Goal: data parallelism. A ``MirroredStrategy`` keeps one copy of the model (a replica) on
each device. Every training step splits the global batch between the replicas; each replica
computes gradients on its share, the gradients are summed across the replicas (all-reduce),
and the same update is applied to every copy, so the copies never drift apart. Done right,
one distributed step equals one ordinary step on the whole global batch: the loss each
replica computes must be divided by the GLOBAL batch size, not by its own share.

Devices: the grading machine has no GPU. Before importing your module, the grader splits its
CPU into two logical devices, ``/device:CPU:0`` and ``/device:CPU:1``, so that a strategy
finds two replicas (on a machine with GPUs, the GPUs are left as they are). To do the same
when you try your code, run this before anything else touches TensorFlow, not in this
module::

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

Exercises:
    13.1  ``make_strategy``            a MirroredStrategy over the GPUs, else the logical CPUs
    13.2  ``global_batch_size``        examples per step over all replicas
    13.3  ``distribute_dataset``       global batches, split across the replicas
    13.4  ``build_model``              a classifier whose variables are mirrored
    13.5  ``compute_loss``             one replica's share of the global batch's mean loss
    13.6  ``distributed_train_step``   ``strategy.run`` on every replica, ``strategy.reduce``
    13.7  ``train_with_fit``           ``model.fit`` under the strategy

Every function except ``make_strategy`` receives the strategy to use; the grader passes a
``MirroredStrategy`` over the two logical CPUs, so each exercise is graded on its own. The
data of exercises 13.4 and 13.7 are Fashion-MNIST images as float32 arrays of shape
``(n, 28, 28)`` scaled to [0, 1], with integer labels 0-9.

Allowed: TensorFlow, Keras, numpy and the standard library. Importing this module must not
train anything, create a strategy, or change TensorFlow's device configuration.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


# %%
def make_strategy() -> tf.distribute.MirroredStrategy:
    """Exercise 13.1: a ``tf.distribute.MirroredStrategy`` with one replica per device.

    Mirror over every GPU (``tf.config.list_logical_devices("GPU")``); on a machine without
    GPUs, over every logical CPU (``tf.config.list_logical_devices("CPU")``). Pass the
    devices' names: ``tf.distribute.MirroredStrategy(devices=[...])``. (TensorFlow 2.21's
    ``MirroredStrategy()`` picks the same devices by itself; older versions took only CPU:0.)
    On the grading machine the strategy has 2 replicas: ``num_replicas_in_sync == 2``.
    """
    ### BEGIN SOLUTION
    devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy(devices=[device.name for device in devices])
    ### END SOLUTION


# %%
def global_batch_size(per_replica_batch_size: int, strategy: tf.distribute.Strategy) -> int:
    """Exercise 13.2: the number of examples one training step uses over all replicas.

    Each of the strategy's ``num_replicas_in_sync`` replicas gets ``per_replica_batch_size``
    examples. Returns a Python ``int``: ``global_batch_size(32, strategy)`` is 64 with 2
    replicas.
    """
    ### BEGIN SOLUTION
    return int(per_replica_batch_size * strategy.num_replicas_in_sync)
    ### END SOLUTION


# %%
def distribute_dataset(
    strategy: tf.distribute.Strategy, x: np.ndarray, y: np.ndarray, per_replica_batch_size: int
) -> tf.distribute.DistributedDataset:
    """Exercise 13.3: the pairs ``(x[i], y[i])`` in global batches, split across the replicas.

    Make a ``tf.data.Dataset`` of the pairs, batch it with the GLOBAL batch size (exercise
    13.2) and hand it to ``strategy.experimental_distribute_dataset``, which gives each replica
    its share: every element is then a pair of per-replica values, each replica receiving
    ``per_replica_batch_size`` examples. One pass over it yields every example exactly once
    (``len(x)`` is a multiple of the global batch size); shuffling is allowed, repeating is not.
    """
    ### BEGIN SOLUTION
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.batch(global_batch_size(per_replica_batch_size, strategy))
    return strategy.experimental_distribute_dataset(dataset)
    ### END SOLUTION


# %%
def build_model(strategy: tf.distribute.Strategy) -> keras.Model:
    """Exercise 13.4: a compiled Fashion-MNIST classifier whose variables are mirrored.

    Everything that creates variables happens inside ``with strategy.scope():`` so that each
    variable becomes a ``MirroredVariable``, one copy per replica: the model
    (``keras.Input(shape=(28, 28))``, ``Flatten``, ``Dense(128, activation="relu")``,
    ``Dense(10)``: logits, no softmax), its compilation (``keras.optimizers.Adam()``,
    ``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``, ``metrics=["accuracy"]``)
    and the optimizer's own variables: Keras creates Adam's moment estimates at the first
    training step, which in a custom loop is inside ``strategy.run``, where mirrored
    variables cannot be made. So build them now, in the scope:
    ``model.optimizer.build(model.trainable_variables)``.
    """
    ### BEGIN SOLUTION
    with strategy.scope():
        model = keras.Sequential(
            [
                keras.Input(shape=(28, 28)),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        model.optimizer.build(model.trainable_variables)
    return model
    ### END SOLUTION


# %%
def compute_loss(labels: tf.Tensor, logits: tf.Tensor, global_batch_size: int) -> tf.Tensor:
    """Exercise 13.5: one replica's share of the mean loss over the global batch.

    ``labels`` (int, shape ``(n,)``) and ``logits`` (float32, shape ``(n, classes)``) are the
    ``n`` examples one replica received. Compute the sparse categorical cross-entropy of each
    example from the logits, sum it, and divide by ``global_batch_size``, NOT by ``n``: summed
    over the replicas, the shares make the mean over the whole global batch, and the gradients
    the strategy sums across replicas are those of that mean.
    ``tf.nn.compute_average_loss(per_example_loss, global_batch_size=...)`` does exactly this.
    Returns a float32 scalar tensor.
    """
    ### BEGIN SOLUTION
    per_example_loss = keras.losses.sparse_categorical_crossentropy(
        labels, logits, from_logits=True
    )
    return tf.nn.compute_average_loss(per_example_loss, global_batch_size=global_batch_size)
    ### END SOLUTION


# %%
def distributed_train_step(
    strategy: tf.distribute.Strategy,
    model: keras.Model,
    optimizer: keras.optimizers.Optimizer,
    batch: tuple[tf.distribute.DistributedValues, tf.distribute.DistributedValues],
    global_batch_size: int,
) -> tf.Tensor:
    """Exercise 13.6: one training step on every replica; returns the global batch's mean loss.

    ``batch`` is one element ``(x, y)`` of a distributed dataset; ``model`` (logits out) and
    ``optimizer`` were created in ``strategy.scope()``. Write a replica step that takes one
    replica's ``x`` and ``y``: the forward pass ``model(x, training=True)`` under a
    ``tf.GradientTape``, the loss from :func:`compute_loss` with ``global_batch_size``, the
    gradients of the loss with respect to ``model.trainable_variables``, and
    ``optimizer.apply_gradients``, which sums the gradients of all replicas before it updates
    the mirrored variables. Run it with ``strategy.run(replica_step, args=batch)`` and
    combine the per-replica losses with ``strategy.reduce(tf.distribute.ReduceOp.SUM, ...,
    axis=None)``: each share is already divided by the global batch size, so their sum is
    the mean. Returns that float32 scalar.
    """
    ### BEGIN SOLUTION

    def replica_step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = compute_loss(y, logits, global_batch_size)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    per_replica_losses = strategy.run(replica_step, args=batch)
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None)
    ### END SOLUTION


# %%
def train_with_fit(
    strategy: tf.distribute.Strategy,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    per_replica_batch_size: int,
) -> keras.Model:
    """Exercise 13.7: train the model of exercise 13.4 with ``model.fit`` under ``strategy``.

    Build the model with ``build_model(strategy)``: a model created in a strategy's scope is
    trained by ``fit`` on all of that strategy's replicas, each batch split between them. Fit
    it on ``x`` and ``y`` for ``epochs`` epochs with ``batch_size`` the GLOBAL batch size
    (exercise 13.2), so that each replica still gets ``per_replica_batch_size`` examples per
    step (``len(x)`` is a multiple of the global batch size), and return the trained model.
    """
    ### BEGIN SOLUTION
    model = build_model(strategy)
    model.fit(
        x,
        y,
        batch_size=global_batch_size(per_replica_batch_size, strategy),
        epochs=epochs,
        verbose=0,
    )
    return model
    ### END SOLUTION
