"""Wrong answer: the encoder block accepts ``attention_mask`` but never uses it.

``self.attention(inputs, inputs)``: every word attends to the padding too, so changing the
padding changes the real words' outputs.

week: week12_transformers
fails: test_5_transformer_block.py::test_attention_mask_hides_padding
"""

CHANGES = [
    (
        "        attended = self.attention(inputs, inputs, attention_mask=attention_mask)\n",
        "        attended = self.attention(inputs, inputs)\n",
    ),
]
