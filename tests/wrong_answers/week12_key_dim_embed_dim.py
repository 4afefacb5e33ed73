"""Wrong answer: every attention head gets ``key_dim=embed_dim``, as in the Keras example.

Each of the 4 heads works in 32 dimensions instead of 8: the block still computes a valid
attention, with 16,800 attention parameters instead of 4,224.

week: week12_transformers
fails: test_5_transformer_block.py::test_attention_layer
"""

CHANGES = [
    (
        "            num_heads=num_heads, key_dim=embed_dim // num_heads\n",
        "            num_heads=num_heads, key_dim=embed_dim\n",
    ),
]
