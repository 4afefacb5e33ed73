"""Wrong answer: ``load_model`` neither registers nor passes the custom classes.

``keras.models.load_model(filepath)``: the file names ``QuadraticLayer`` and ``HuberLoss``,
which Keras does not know, so loading raises and nothing comes back.

week: week10_custom_components
fails: test_8_saving.py::test_loaded_model_predicts_the_same
fails: test_8_saving.py::test_loaded_model_uses_the_custom_classes
"""

CHANGES = [
    (
        "    return keras.models.load_model(filepath, custom_objects=custom_objects)\n",
        "    return keras.models.load_model(filepath)\n",
    ),
]
