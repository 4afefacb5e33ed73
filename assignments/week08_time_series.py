# %%
"""Week 8: time series: a generated series, baseline forecasts and a windowed dataset.

Goal: forecast a series before any neural network does. You build a generated series
(trend, yearly seasonality and noise), split it in time into a training and a validation
period, measure forecasts with the mean squared and mean absolute errors, and write the
classic baselines a model must beat: the naive forecast (tomorrow is today), the moving
average, and the moving average of the differenced series with the past added back (raw,
then smoothed). Last, ``windowed_dataset`` cuts a series into the (window, next value)
pairs a model trains on, with ``tf.data``; week 9 trains forecasters on it.

Data: generated, not measured. ``generate_series`` adds a linear trend, a seasonal pattern
that repeats every ``period`` steps and Gaussian noise from a seeded generator, so the
same arguments always give the same series. The graders make their own series with other
seeds and compare your forecasts with theirs.

Exercises:
    8.1  ``seasonality``                     the seasonal pattern, repeated every period
    8.2  ``generate_series``                 baseline + trend + seasonality + noise
    8.3  ``split_series``                    training and validation periods at a time step
    8.4  ``mean_squared_error``, ``mean_absolute_error``   the two error metrics
    8.5  ``naive_forecast``                  each value forecast by the one before it
    8.6  ``moving_average_forecast``         the mean of the last ``window_size`` values
    8.7  ``differenced_forecast``            moving average of the differences, plus the past
    8.8  ``smoothed_differenced_forecast``   the same with a smoothed past
    8.9  ``windowed_dataset``                (window, next value) batches with tf.data

``trend``, ``seasonal_pattern`` and ``noise`` are given. The constants below are the
course's settings for the series; the functions take everything as arguments. Allowed:
TensorFlow, Keras, numpy and the standard library. Importing this module must not train
anything, read files or download anything.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

#: The course's generated series: four years and a day of daily values.
TIME = np.arange(4 * 365 + 1, dtype="float32")
BASELINE = 10.0
SLOPE = 0.05
PERIOD = 365
AMPLITUDE = 40.0
NOISE_LEVEL = 5.0
SEED = 42
#: The first validation step: steps 0-999 train, 1000-1460 validate.
SPLIT_TIME = 1000
#: Week 9's windows: 20 values predict the 21st, in batches of 32, shuffled among 1,000.
WINDOW_SIZE = 20
BATCH_SIZE = 32
SHUFFLE_BUFFER = 1000


# %%
def trend(time: np.ndarray, slope: float = 0.0) -> np.ndarray:
    """Given, not an exercise: a straight line through 0, rising ``slope`` per step."""
    return slope * time


# %%
def seasonal_pattern(season_time: np.ndarray) -> np.ndarray:
    """Given, not an exercise: one season's shape, for ``season_time`` from 0 to 1.

    A cosine for the first 40% of the season, then an exponential decay: an arbitrary
    pattern, chosen to be easy to recognise in a plot.
    """
    return np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time))


# %%
def noise(time: np.ndarray, noise_level: float = 1.0, seed: int | None = None) -> np.ndarray:
    """Given, not an exercise: Gaussian noise, one value per step, ``noise_level`` its
    standard deviation; the same ``seed`` gives the same noise (float64)."""
    generator = np.random.RandomState(seed)
    return generator.randn(len(time)) * noise_level


# -- The series ------------------------------------------------------------------------------


# %%
def seasonality(
    time: np.ndarray, period: int, amplitude: float = 1.0, phase: int = 0
) -> np.ndarray:
    """Exercise 8.1: ``seasonal_pattern`` repeated every ``period`` steps, times ``amplitude``.

    The position of step ``t`` in its season is ``((t + phase) % period) / period``, a
    number from 0 (the start of a season) to just below 1; return ``amplitude`` times
    ``seasonal_pattern`` of those positions, one value per step (same shape as ``time``).
    ``phase`` shifts the pattern ``phase`` steps earlier.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


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
    """Exercise 8.2: the generated series, one value per step of ``time``.

    ``baseline`` plus ``trend(time, slope)`` plus ``seasonality(time, period, amplitude)``
    (phase 0) plus ``noise(time, noise_level, seed)``, as a float32 array of the shape of
    ``time``. With the constants above, ``generate_series(TIME, baseline=BASELINE, ...)``
    is the course's series: 1,461 values from about 0 to 130.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def split_series(
    time: np.ndarray, series: np.ndarray, split_time: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exercise 8.3: cut ``time`` and ``series`` in two at step ``split_time``.

    Return ``(time_train, series_train, time_valid, series_valid)``: the training period is
    the first ``split_time`` steps (indices 0 to ``split_time - 1``), the validation period
    every step from ``split_time`` on. A time series is split in time, never shuffled: the
    validation period is the future the forecasts are judged on.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# -- Metrics ---------------------------------------------------------------------------------


# %%
def mean_squared_error(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Exercise 8.4: the mean of the squared errors ``(forecast - actual) ** 2``, a float.

    ``actual`` and ``forecast`` are 1-D arrays of the same length. For ``actual = [1, 2,
    3]`` and ``forecast = [1, 4, 2]`` it is ``(0 + 4 + 1) / 3``.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def mean_absolute_error(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Exercise 8.4: the mean of the absolute errors ``|forecast - actual|``, a float.

    For ``actual = [1, 2, 3]`` and ``forecast = [1, 4, 2]`` it is ``(0 + 2 + 1) / 3``. Large
    errors weigh no more than their size here, where the squared error magnifies them.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# -- Baseline forecasts ----------------------------------------------------------------------
#
# Each forecast is an array of floats (any float dtype). Those of 8.5, 8.7 and 8.8 cover
# the validation period, one value per step from ``split_time`` to the end, so they compare
# with ``series[split_time:]`` value by value.


# %%
def naive_forecast(series: np.ndarray, split_time: int) -> np.ndarray:
    """Exercise 8.5: forecast every validation step by the value of the step before it.

    The forecast for step ``t`` is ``series[t - 1]``, for every ``t`` from ``split_time``
    to ``len(series) - 1``: an array of ``len(series) - split_time`` values, the first
    being ``series[split_time - 1]``.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def moving_average_forecast(series: np.ndarray, window_size: int) -> np.ndarray:
    """Exercise 8.6: forecast each step by the mean of the ``window_size`` steps before it.

    Return ``len(series) - window_size`` values: value ``i`` is the mean of
    ``series[i:i + window_size]``, the forecast for step ``i + window_size``. So the
    forecasts of the validation period are ``moving_average_forecast(series,
    window_size)[split_time - window_size:]``. A loop over ``i`` is fine; ``np.cumsum``
    or ``np.convolve`` do it without one.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def differenced_forecast(
    series: np.ndarray, split_time: int, period: int, window_size: int
) -> np.ndarray:
    """Exercise 8.7: remove the trend and the seasonality by differencing, then add them back.

    The differenced series is ``series[period:] - series[:-period]``: value ``j`` is the
    change from step ``j`` to step ``j + period``, one season later. Its moving average
    (8.6, ``window_size``) forecasts the change at each validation step ``t``; add the value
    one season before, ``series[t - period]``, to get back to the series. Return the
    ``len(series) - split_time`` forecasts for steps ``split_time`` to the end.

    Hint: the moving average of the differences for step ``t`` is value
    ``t - period - window_size`` of ``moving_average_forecast(differences, window_size)``,
    and the past values are ``series[split_time - period:-period]``.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def smoothed_differenced_forecast(
    series: np.ndarray, split_time: int, period: int, window_size: int, smoothing_window: int
) -> np.ndarray:
    """Exercise 8.8: like 8.7, but add back a smoothed past instead of the noisy past value.

    The moving average of the differences is 8.7's. The past added back for step ``t`` is
    the mean of the ``smoothing_window`` values centred on ``t - period``: from
    ``series[t - period - smoothing_window // 2]`` up to, not including, ``series[t -
    period - smoothing_window // 2 + smoothing_window]``. With ``period=365`` and
    ``smoothing_window=10`` that is ``series[t - 370:t - 360]``. The noise of that one past
    value no longer adds to the forecast. Return the ``len(series) - split_time``
    forecasts for steps ``split_time`` to the end.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# -- Windows for a model ---------------------------------------------------------------------


# %%
def windowed_dataset(
    series: np.ndarray, window_size: int, batch_size: int, shuffle_buffer: int
) -> tf.data.Dataset:
    """Exercise 8.9: the (window, next value) pairs of ``series``, batched with ``tf.data``.

    Each element of the dataset is a batch ``(features, labels)``: ``features`` of shape
    ``(batch, window_size)``, each row ``window_size`` consecutive values of the series,
    and ``labels`` of shape ``(batch,)``, the value that follows each window; both of the
    series' dtype (float32 for the float32 series the graders pass). So window ``i`` is
    ``series[i:i + window_size]`` and its label ``series[i + window_size]``, for every
    ``i`` from 0 to ``len(series) - window_size - 1``: each window once, one pass (no
    ``repeat``).

    The windows are shuffled with ``Dataset.shuffle(shuffle_buffer)`` before they are
    batched; ``shuffle_buffer=1`` keeps them in order. Every batch holds ``batch_size``
    windows but the last, which holds the rest. End with ``prefetch(1)``. The steps:
    ``from_tensor_slices``, ``window(window_size + 1, shift=1, drop_remainder=True)``,
    ``flat_map`` each window to one tensor with ``.batch(window_size + 1)``, shuffle, map
    each tensor to ``(all values but the last, the last value)``, batch, prefetch.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")
