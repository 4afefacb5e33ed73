"""Wrong answer: normalize_images casts to float32 but forgets to divide by 255.

The model then trains on pixels 0-255, and the grader evaluates it on test images divided
by 255, as the contract says: its accuracy collapses to about 0.10.

week: week02_fashion_mnist
fails: test_1_normalize.py::test_normalize_range
fails: test_1_normalize.py::test_normalize_values
fails: test_4_training.py::test_test_accuracy
"""

CHANGES = [
    (
        "    return (images / 255.0).astype(np.float32)\n",
        "    return images.astype(np.float32)\n",
    ),
]
