"""Wrong answer: the positional encoding puts cos in the even columns and sin in the odd ones.

Columns ``2i`` and ``2i + 1`` share the right angle, but the sine and the cosine trade
places: row 0 becomes ``[1, 0, 1, 0, ...]`` instead of ``[0, 1, 0, 1, ...]``.

week: week12_transformers
fails: test_1_positional_encoding.py::test_positional_encoding_values
"""

CHANGES = [
    (
        "    encoding[:, 0::2] = np.sin(angles[:, 0::2])\n    encoding[:, 1::2] = np.cos(angles[:, 1::2])\n",
        "    encoding[:, 0::2] = np.cos(angles[:, 0::2])\n    encoding[:, 1::2] = np.sin(angles[:, 1::2])\n",
    ),
]
