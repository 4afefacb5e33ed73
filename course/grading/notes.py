"""What a check leaves besides its verdict: notes for the student ("test accuracy 0.8712"),
the figures it measured, as data (``{"test accuracy": 0.8712}``), and the data of the plots
its feedback shows (a training curve, a confusion matrix: ``course.testing.show_*``).

The grading process runs one check at a time; the plugin takes both after each check, adds
the notes to its message and keeps the measurements in its result, where the benchmarks
that set thresholds (``benchmarks/baselines.py``) and the class statistics read them.
"""

from __future__ import annotations

import math
from typing import Any

_notes: list[str] = []
_measurements: dict[str, float] = {}
_plots: list[dict[str, Any]] = []


def add(message: str) -> None:
    """Leave ``message`` on the current check's result."""
    _notes.append(message)


def take() -> list[str]:
    """The notes left since the last call, which are then forgotten."""
    taken = list(_notes)
    _notes.clear()
    return taken


def measure(name: str, value: float) -> None:
    """Record the figure ``name`` the current check measured (a later one of the same name
    replaces it). A NaN or an infinity is left out: the result's JSON has no spelling for it,
    and the check's message says what was received."""
    number = float(value)
    if math.isfinite(number):
        _measurements[name] = number


def take_measurements() -> dict[str, float]:
    """The figures measured since the last call, which are then forgotten."""
    taken = dict(_measurements)
    _measurements.clear()
    return taken


def plot(data: dict[str, Any]) -> None:
    """Leave a plot's data (plain JSON: ``course.reports.plots`` draws it) on the current
    check's result."""
    _plots.append(data)


def take_plots() -> list[dict[str, Any]]:
    """The plots left since the last call, which are then forgotten."""
    taken = list(_plots)
    _plots.clear()
    return taken
