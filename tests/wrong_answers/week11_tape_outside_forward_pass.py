"""Wrong answer: the forward pass runs after the ``GradientTape`` block has closed.

The tape recorded nothing, so every gradient is ``None``; the probe's optimizer refuses them
with a message saying why, instead of Keras's "No gradients provided for any variable".
The step never completes, so each check of part 3, the training-mode one included, shows
that message.

week: week11_training_loops
fails: test_3_train_step.py::test_train_step_returns_the_batch_loss
fails: test_3_train_step.py::test_train_step_moves_weights_down_the_gradient
fails: test_3_train_step.py::test_train_step_losses_fall
fails: test_3_train_step.py::test_train_step_runs_the_model_in_training_mode
"""

CHANGES = [
    (
        "    with tf.GradientTape() as tape:\n"
        "        predictions = model(x, training=True)\n"
        "        loss = loss_fn(y, predictions)\n",
        "    with tf.GradientTape() as tape:\n"
        "        pass\n"
        "    predictions = model(x, training=True)\n"
        "    loss = loss_fn(y, predictions)\n",
    ),
]
