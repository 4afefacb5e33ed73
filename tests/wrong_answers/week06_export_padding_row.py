"""Wrong answer: export_embeddings writes the padding token too, as an empty first line.

The Projector skips empty lines, so every label would sit one row off its vector:
the files have one line too many and both start one row early.

week: week06_embeddings
fails: test_7_export.py::test_export_row_counts
fails: test_7_export.py::test_export_metadata_lists_the_tokens
fails: test_7_export.py::test_export_vectors_are_the_embedding_weights
"""

CHANGES = [
    (
        "            if index == 0:\n                continue  # the padding token\n",
        "",
    ),
]
