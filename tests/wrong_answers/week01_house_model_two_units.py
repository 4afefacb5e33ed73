"""Wrong answer: the house-price model has two output units and uses Adam.

week: week01_tensors
fails: test_3_house_model.py::test_single_dense_unit
fails: test_3_house_model.py::test_compiled_with_sgd_and_mse
fails: test_3_house_model.py::test_predicts_seven_bedrooms
"""

CHANGES = [
    (
        '    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])\n    model.compile(optimizer="sgd", loss="mean_squared_error")\n',
        '    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(2)])\n    model.compile(optimizer="adam", loss="mean_squared_error")\n',
    ),
]
