"""Wrong answer: ``generate_text`` adds ``n_words - 1`` words.

The loop runs ``range(n_words - 1)``: each word is still the likeliest one and from the
vocabulary, but there is one word too few (none for ``n_words=1``).

week: week07_sequences
fails: test_7_generate_text.py::test_generates_exactly_n_words
"""

CHANGES = [
    (
        "    for _ in range(n_words):\n",
        "    for _ in range(n_words - 1):\n",
    ),
]
