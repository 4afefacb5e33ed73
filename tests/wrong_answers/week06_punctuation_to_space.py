"""Wrong answer: standardize replaces punctuation with a space instead of deleting it.

"it's" becomes the two words "it" and "s", so the vectorizer that uses this
function learns other words too. Training still works.

week: week06_embeddings
fails: test_1_standardize.py::test_standardize_deletes_punctuation
fails: test_2_vectorizer.py::test_vectorizer_vocabulary
fails: test_2_vectorizer.py::test_vectorizer_token_ids
"""

CHANGES = [
    (
        '    return tf.strings.regex_replace(tf.strings.lower(texts), punctuation, "")\n',
        '    return tf.strings.regex_replace(tf.strings.lower(texts), punctuation, " ")\n',
    ),
]
