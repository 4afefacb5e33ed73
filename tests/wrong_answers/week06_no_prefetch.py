"""Wrong answer: make_text_dataset stops after the map step, without prefetch.

Every element is right, so only the pipeline's own report shows it.

week: week06_embeddings
fails: test_4_dataset.py::test_dataset_prefetches
"""

CHANGES = [
    ("dataset.prefetch(tf.data.AUTOTUNE)", "dataset"),
]
