"""Wrong answer: ``build_vocabulary`` breaks ties between equal counts alphabetically.

Sorting by ``(-count, word)`` numbers the right words 1 to V, most frequent first, but
words counted equally come in alphabetical order, not in order of first appearance.

week: week07_sequences
fails: test_3_vocabulary.py::test_most_frequent_words_come_first
"""

CHANGES = [
    (
        "    by_frequency = sorted(counts, key=lambda word: -counts[word])  # stable: ties keep order\n",
        "    by_frequency = sorted(counts, key=lambda word: (-counts[word], word))\n",
    ),
]
