"""Wrong answer: the map casts the labels but keeps their shape, so batches are (batch,).

Keras's losses squeeze the extra axis and training works, but the labels no longer have the
(batch, 1) shape of the model's output, which a hand-written loss broadcasts into a
(batch, batch) matrix without an error.

week: week11_training_loops
fails: test_2_dataset.py::test_dataset_element_spec
"""

CHANGES = [
    (
        "        return tf.cast(example, tf.float32), tf.reshape(tf.cast(label, tf.float32), (1,))\n",
        "        return tf.cast(example, tf.float32), tf.cast(label, tf.float32)\n",
    ),
]
