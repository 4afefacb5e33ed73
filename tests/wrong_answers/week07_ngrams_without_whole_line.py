"""Wrong answer: the n-grams of a line stop one word short of the whole line.

``range(2, len(ids))`` instead of ``range(2, len(ids) + 1)``: the last word of every line
is never a label.

week: week07_sequences
fails: test_4_ngrams.py::test_ngrams_of_one_line
"""

CHANGES = [
    (
        "        sequences.extend(ids[:end] for end in range(2, len(ids) + 1))\n",
        "        sequences.extend(ids[:end] for end in range(2, len(ids)))\n",
    ),
]
