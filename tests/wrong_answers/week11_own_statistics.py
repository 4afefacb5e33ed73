"""Wrong answer: ``standardize`` scales each set with its own mean and deviation.

The training part is right; the other set comes out with mean 0 and standard deviation 1
too, which hides the shift between the sets and uses statistics a model cannot know when
it predicts on new data.

week: week11_training_loops
fails: test_1_standardize.py::test_other_set_uses_training_statistics
"""

CHANGES = [
    (
        "        ((other - mean) / std).astype(np.float32),\n",
        "        ((other - other.mean(axis=0)) / other.std(axis=0)).astype(np.float32),\n",
    ),
]
