"""Wrong answer: the encoder block normalises the attention output without adding its input.

``norm1(dropout1(attended))`` instead of ``norm1(inputs + dropout1(attended))``: the
residual connection around the attention is missing, the one around the feed-forward
network is there.

week: week12_transformers
fails: test_5_transformer_block.py::test_block_computes_attention_and_feed_forward_with_residuals
"""

CHANGES = [
    (
        "        hidden = self.norm1(inputs + self.dropout1(attended, training=training))\n",
        "        hidden = self.norm1(self.dropout1(attended, training=training))\n",
    ),
]
