"""Probes for time-series forecasting: run a submission's forecast function on a model the
grader chose, counting how the function runs the model.

A forecast over every window of a series should run the model on batches of windows (one
``model.predict`` over a ``tf.data`` pipeline), not once per window in a Python loop, which
is hundreds of times slower. What counts is how often the model's Python code runs, which
this probe measures without changing what the model computes: it shadows three methods of
the model object with counting wrappers,

* ``predict`` and ``predict_on_batch``: one count per call;
* ``call``: one count per eager call (``model(x)``) and one per trace when ``predict`` or
  a ``tf.function`` compiles the model (traced code runs its Python once, then the graph).

A loop over windows therefore shows as one count per window, a batched forecast as a few.
Nothing here judges: the grader receives the returned value and the counts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

from course.probes import probe
from course.probes.models import require_model
from course.probes.values import get_callable, prepare_arguments, to_plain

#: The model methods whose calls are counted (``call`` covers ``model(x)``).
COUNTED_METHODS = ("predict", "predict_on_batch", "call")


def count_runs(model: Any) -> dict[str, int]:
    """Shadow the model's :data:`COUNTED_METHODS` with counting wrappers; return the live
    counts (a dict the wrappers update)."""
    counts = dict.fromkeys(COUNTED_METHODS, 0)

    def counted(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return method(*args, **kwargs)

        return wrapper

    for name in COUNTED_METHODS:
        # An instance attribute takes precedence over the class's method, for this object
        # only; Keras's __call__ and predict look up self.call, so they find the wrapper.
        object.__setattr__(model, name, counted(name, getattr(model, name)))
    return counts


@probe("time_series.forecast")
def forecast(
    module: ModuleType,
    *,
    function: str,
    model: dict[str, Any],
    series: Any,
    window_size: int,
    batch_size: int,
) -> dict[str, Any]:
    """``function(model, series, window_size, batch_size)``, the model counted while it runs.

    ``model`` is a :func:`~course.grading.submission.model_spec` (the grader's model, built
    here). Returns ``{"value": what the function returned, as plain data, "runs":
    {"predict": n, "predict_on_batch": n, "call": n}}``.
    """
    built = require_model(
        prepare_arguments(model, as_tensors=False, module=module), what="the grader's model"
    )
    counts = count_runs(built)
    value = get_callable(module, function)(built, series, window_size, batch_size)
    return {
        "value": to_plain(value, what=f"the value returned by {function}()"),
        "runs": dict(counts),
    }
