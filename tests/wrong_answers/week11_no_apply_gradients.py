"""Wrong answer: ``train_step`` computes the gradients but never applies them.

The loss it returns is right, but the weights never move, so the loss does not fall.

week: week11_training_loops
fails: test_3_train_step.py::test_train_step_moves_weights_down_the_gradient
fails: test_3_train_step.py::test_train_step_losses_fall
"""

CHANGES = [
    (
        "    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))\n",
        "",
    ),
]
