"""Week 2 wrong answer: ``train_model`` trains but forgets to return the History.

The model is still trained, so only the check about the History fails; the accuracy check
still sees the trained model.

week: week02_fashion_mnist
fails: test_4_training.py::test_train_returns_history
"""

CHANGES = [
    (
        "    return model.fit(dataset, epochs=5, verbose=2)\n",
        "    model.fit(dataset, epochs=5, verbose=2)\n",
    ),
]
