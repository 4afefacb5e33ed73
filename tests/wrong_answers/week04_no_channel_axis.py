"""Wrong answer: reshape_and_normalize scales the pixels but forgets the channel axis.

It returns float32 (N, 28, 28) in [0, 1]. Only the shape check fails: a Keras 3 model built
for (28, 28, 1) adds a missing last axis of size 1 to its input by itself, so the CNN still
trains on these images and reaches the test accuracy.

week: week04_cnn
fails: test_1_reshape.py::test_adds_a_channel_axis
"""

CHANGES = [
    (
        "    return (images.reshape((*images.shape, 1)) / 255.0).astype(np.float32)\n",
        "    return (images / 255.0).astype(np.float32)\n",
    ),
]
