"""Wrong answer: export_embeddings separates the numbers in vectors.tsv with spaces, not tabs.

Row counts and metadata are right; the vectors file is not tab-separated.

week: week06_embeddings
fails: test_7_export.py::test_export_vectors_are_the_embedding_weights
"""

CHANGES = [
    (
        '            vectors.write("\\t".join(str(value) for value in weights[index]) + "\\n")\n',
        '            vectors.write(" ".join(str(value) for value in weights[index]) + "\\n")\n',
    ),
]
