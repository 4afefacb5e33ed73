"""The generated series of weeks 8 and 9: a trend, a yearly pattern and Gaussian noise.

Made by formula, not loaded: it is the series the course teaches time series on (exercise
8.2 asks students to write :func:`seasonal_series` themselves), and the graders of both
weeks compute it here, so the two weeks cannot drift apart.
"""

from __future__ import annotations

import numpy as np


def seasonal_pattern(season_time: np.ndarray) -> np.ndarray:
    """One season's shape, ``season_time`` in [0, 1): a cosine, then an exponential decay."""
    return np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time))


def seasonality(
    time: np.ndarray, period: int, amplitude: float = 1.0, phase: int = 0
) -> np.ndarray:
    """:func:`seasonal_pattern` repeated every ``period`` steps, scaled and shifted."""
    return amplitude * seasonal_pattern(((time + phase) % period) / period)


def noise(time: np.ndarray, noise_level: float, seed: int) -> np.ndarray:
    """Gaussian noise, one value per step, from NumPy's legacy generator seeded ``seed``."""
    return np.random.RandomState(seed).randn(len(time)) * noise_level


def seasonal_series(
    time: np.ndarray,
    *,
    baseline: float,
    slope: float,
    period: int,
    amplitude: float,
    noise_level: float,
    seed: int,
) -> np.ndarray:
    """``baseline + slope * time`` plus :func:`seasonality` and :func:`noise`, float32."""
    values: np.ndarray = (
        baseline
        + slope * time
        + seasonality(time, period, amplitude)
        + noise(time, noise_level, seed)
    )
    return values.astype("float32")
