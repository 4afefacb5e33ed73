"""Wrong answer: ``TokenAndPositionEmbedding`` returns the word vectors only.

The position embedding is created but never added, so the same word gets the same vector
at every position: the model sees a bag of words.

week: week12_transformers
fails: test_4_embedding.py::test_positions_are_added
"""

CHANGES = [
    (
        "        return self.token_embedding(inputs) + self.position_embedding(positions)\n",
        "        return self.token_embedding(inputs)\n",
    ),
]
