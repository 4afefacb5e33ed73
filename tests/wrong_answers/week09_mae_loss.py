"""Wrong answer: the dense forecaster is compiled with the mean absolute error as its loss.

``loss="mae"``: a reasonable loss for forecasts, but not the MSE or Huber loss the
exercise asks for.

week: week09_forecasting
fails: test_1_models.py::test_forecasters_use_mse_or_huber_loss
"""

CHANGES = [
    (
        '    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9))\n',
        '    model.compile(loss="mae", optimizer=keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9))\n',
    ),
]
