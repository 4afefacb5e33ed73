"""Wrong answer: encode_labels compares with "positive", so any other string silently becomes 0.

The codes and dtype are right for clean labels; a typo or "Positive" passes unnoticed.

week: week06_embeddings
fails: test_3_labels.py::test_encode_labels_rejects_unknown_labels
"""

CHANGES = [
    (
        '    codes = {"negative": 0, "positive": 1}\n    unknown = [label for label in labels if label not in codes]\n    if unknown:\n        raise ValueError(f"unknown label {unknown[0]!r}: expected \'negative\' or \'positive\'")\n    return np.array([codes[label] for label in labels], dtype=np.int32)\n',
        '    return (np.asarray(labels) == "positive").astype(np.int32)\n',
    ),
]
