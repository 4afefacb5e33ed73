"""Wrong answer: ``train_step`` differentiates with respect to the last layer's variables only.

A habit from fine-tuning: ``model.layers[-1].trainable_variables`` instead of
``model.trainable_variables``. The output layer moves exactly as it should and the loss
still falls, but the hidden layer never learns.

week: week11_training_loops
fails: test_3_train_step.py::test_train_step_moves_weights_down_the_gradient
"""

CHANGES = [
    (
        "    gradients = tape.gradient(loss, model.trainable_variables)\n"
        "    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))\n",
        "    variables = model.layers[-1].trainable_variables\n"
        "    gradients = tape.gradient(loss, variables)\n"
        "    optimizer.apply_gradients(zip(gradients, variables, strict=True))\n",
    ),
]
