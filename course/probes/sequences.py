"""Probes for sequence models: train a model whose builder takes arguments.

Sequence builders need the vocabulary size and the sequence length the grader chose
(``build_next_word_model(vocabulary_size, sequence_length)``); the ``model.fit`` probe calls
its builder without arguments, so this probe builds with the grader's plain arguments, then
fits on the grader's arrays. Its reply has the shape of ``model.fit``'s, for
:meth:`course.grading.reports.TrainingReport.from_plain`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from course.probes import probe
from course.probes.errors import InvalidReturn
from course.probes.models import describe_history, describe_model, require_model
from course.probes.values import get_callable


@probe("sequences.fit")
def fit(
    module: ModuleType,
    *,
    builder: str,
    args: list[Any],
    x: Any,
    y: Any,
    fit_options: dict[str, Any],
) -> dict[str, Any]:
    """``builder(*args)``, which must return a compiled model, then ``fit(x, y, **fit_options)``.

    ``args`` are plain values (numbers, strings); ``x`` and ``y`` are the grader's training
    arrays. Returns the trained model's description and the per-epoch logs.
    """
    model = require_model(get_callable(module, builder)(*args), what=f"{builder}()")
    if not model.compiled:
        raise InvalidReturn(f"{builder}() returned a model that is not compiled; call compile()")
    history = model.fit(x, y, verbose=0, **fit_options)
    return {
        "model": describe_model(model),
        "history": describe_history(history, what="model.fit"),
    }
