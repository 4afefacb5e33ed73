"""Wrong answer: ``pad_to_longest`` pads with zeros on the right (post-padding).

``keras.utils.pad_sequences(sequences, padding="post")``: the rows have the right length
and ids, but the word to predict is no longer in the last column.

week: week07_sequences
fails: test_5_padding.py::test_pads_with_zeros_on_the_left
"""

CHANGES = [
    (
        '    return np.asarray(keras.utils.pad_sequences(sequences, padding="pre"), dtype="int32")\n',
        '    return np.asarray(keras.utils.pad_sequences(sequences, padding="post"), dtype="int32")\n',
    ),
]
