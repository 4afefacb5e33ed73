"""Wrong answer: make_text_dataset ignores shuffle=True and always keeps the order.

The grader's training sentences arrive already shuffled, so training still reaches
the threshold; only the check on shuffling fails.

week: week06_embeddings
fails: test_4_dataset.py::test_dataset_shuffles_only_when_asked
"""

CHANGES = [
    (
        "    if shuffle:\n        dataset = dataset.shuffle(buffer_size=len(texts))\n",
        "",
    ),
]
