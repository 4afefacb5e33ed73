"""Wrong answer: ``build_model`` leaves the optimizer unbuilt.

Without ``model.optimizer.build(model.trainable_variables)`` in the scope, Adam has no moment
variables yet: ``fit`` would create them itself, but a custom loop would try to create them
inside ``strategy.run``, which fails.

week: week13_distribution
fails: test_3_model.py::test_optimizer_is_built_in_the_same_scope
"""

CHANGES = [
    (
        "        model.optimizer.build(model.trainable_variables)\n",
        "",
    ),
]
