"""Wrong answer: ``generate_text`` samples the next word instead of taking the likeliest.

Each word is drawn with ``np.random.choice`` from the model's probabilities over the word
ids: the right number of words, all from the vocabulary, but not the greedy choice the
contract asks for.

week: week07_sequences
fails: test_7_generate_text.py::test_each_new_word_is_the_likeliest
"""

CHANGES = [
    (
        "        best = max(words, key=lambda index: (probabilities[index], -index))\n",
        '        candidates = np.array(sorted(words))\n        weights = probabilities[candidates].astype("float64")\n        best = int(np.random.choice(candidates, p=weights / weights.sum()))\n',
    ),
]
