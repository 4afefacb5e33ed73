"""Wrong answer: build_vectorizer subtracts the two special tokens from max_tokens.

The vocabulary is two words short of the cap; everything else, training included,
works with the smaller vocabulary.

week: week06_embeddings
fails: test_2_vectorizer.py::test_vectorizer_vocabulary
"""

CHANGES = [
    (
        "        max_tokens=max_tokens,\n",
        "        max_tokens=max_tokens - 2,\n",
    ),
]
