"""Wrong answer: make_image_datasets keeps the default label_mode="int".

The labels are right (cats 0, dogs 1) but int32 of shape (batch,), not float32 of shape
(batch, 1) as a sigmoid output and binary cross-entropy want.

week: week04_cnn
fails: test_5_image_folders.py::test_batch_shapes_and_dtypes
"""

CHANGES = [
    (
        '        label_mode="binary",\n',
        "",
    ),
]
