"""Wrong answer: the augmentation model calls its layers with ``training=True``.

A subclassed model calls each random layer as ``layer(images, training=True)``, thinking
that this switches augmentation on. It also switches it on at inference: ``predict`` and
``evaluate`` then see random variants instead of the real images.

week: week05_transfer
fails: test_1_augmentation.py::test_identity_at_inference
"""

CHANGES = [
    (
        'FEATURE_LAYER = "features"\n\n',
        'FEATURE_LAYER = "features"\n\n\nclass Augmentation(keras.Model):\n    """Random flips, rotations, zooms and shifts of ``(28, 28, 1)`` images."""\n\n    def __init__(self) -> None:\n        super().__init__(name="augmentation")\n        self.steps = [\n            keras.layers.RandomFlip("horizontal"),\n            keras.layers.RandomRotation(0.05),\n            keras.layers.RandomZoom(0.1),\n            keras.layers.RandomTranslation(0.1, 0.1),\n        ]\n\n    def call(self, images: keras.KerasTensor, training: bool | None = None) -> keras.KerasTensor:\n        for step in self.steps:\n            images = step(images, training=True)\n        return images\n\n',
    ),
    (
        '    return keras.Sequential(\n        [\n            keras.Input(shape=(28, 28, 1)),\n            keras.layers.RandomFlip("horizontal"),\n            keras.layers.RandomRotation(0.05),\n            keras.layers.RandomZoom(0.1),\n            keras.layers.RandomTranslation(0.1, 0.1),\n        ],\n        name="augmentation",\n    )\n',
        "    return Augmentation()\n",
    ),
]
