"""Week 11 grader, part 4: the train step compiled with ``tf.function`` (exercise 11.4).

The worker calls ``make_train_step(model, optimizer, loss_fn)`` once, with the grader's
model, ``SGD(learning_rate=0.5)`` (built beforehand, so that no variable is created while
the step is traced) and binary cross-entropy, then the returned ``step(x, y)`` on the first
five batches of the grader's problem (drawn afresh at each grading, with part 3's: ``b``
examples of ``n`` features each, ``b`` from 6 to 10, ``n`` from 3 to 5; see
``reference.py``) and on the first rows of the sixth batch, a batch of a new shape: 2 to
``b - 1`` rows, also drawn afresh. The first step's loss and update are compared with the
grader's own, in numpy.

Tracing is counted two ways, both independent of how the step is written: the loss object
counts how often its Python code runs in graph mode (once per trace: a ``tf.function``
runs its Python code only while tracing) and in eager mode (on every call: no graph), and
``experimental_get_tracing_count()`` is read when the step is itself a ``tf.function``. The
step must have been traced (graph-mode calls, not eager ones) and not traced again for the
four batches of the first batch's shape. A new batch shape may or may not trace again
(``reduce_retracing`` or an ``input_signature`` with ``None`` avoid it); that is only noted.
Self-reported: both counts are kept in the worker, so the tracing check is worth 1 point.

Exact answers, no thresholds: the reference solution is traced once for the five batches of
the first shape and once more for the smaller batch; a ``tf.function`` created inside
``step`` traces on every call (six traces), and a step without ``tf.function`` runs eagerly.
"""

from __future__ import annotations

import pytest

from course.grading.submission import Submission
from course.testing import fail, fresh_rng, note

from .reference import Reference, StepsReport

pytestmark = pytest.mark.visibility("visible")

SAME_SHAPE = 5
CALL = "the step that make_train_step(model, optimizer, loss_fn) returns"


@pytest.fixture(scope="module")
def compiled(submission: Submission, reference: Reference) -> StepsReport:
    batches = list(reference.batches[:SAME_SHAPE])
    x, y = reference.batches[SAME_SHAPE]
    rows = int(fresh_rng(submission, "compiled step new shape").integers(2, len(x)))
    batches.append((x[:rows], y[:rows]))
    return reference.train(submission, compiled=True, batches=batches)


@pytest.mark.points(2)
def test_compiled_step_trains_like_train_step(compiled: StepsReport, reference: Reference) -> None:
    """the compiled step returns the loss and moves every weight down its gradient"""
    reference.check_first_loss(
        compiled,
        what=f"the loss {CALL} returns for the grader's first batch",
        hint="the step must return the loss, as train_step does: return train_step(model, "
        "optimizer, loss_fn, x, y).",
    )
    reference.check_update(compiled, what=f"one call of {CALL}")


@pytest.mark.points(1)
def test_compiled_step_traced_once_for_same_shapes(
    compiled: StepsReport, reference: Reference
) -> None:
    """make_train_step returns a tf.function traced once for batches of the same shape

    Self-reported: how often the loss's Python code ran, in graph and in eager mode, and the
    step's tracing count are counted in the worker."""
    graph, eager = compiled.graph_loss_calls, compiled.eager_loss_calls
    counts = compiled.tracing_counts
    hint = (
        "create the tf.function once in make_train_step and return it: @tf.function on a "
        "function step(x, y) defined inside make_train_step, which calls train_step."
    )
    if graph[-1] == 0 and eager[-1] > 0:
        raise fail(
            f"the way {CALL} runs",
            expected="as a TensorFlow graph, traced once by tf.function",
            received=f"eagerly: the Python code ran on each of the {len(eager)} calls",
            hint=hint,
        )
    if graph[-1] == 0 and not any(counts):
        raise fail(
            f"the calls of loss_fn during {CALL}",
            expected="at least one, while tf.function traces the step",
            received="none",
            hint="compute the loss with loss_fn(y, predictions), the loss you are given.",
        )
    first, same, last = counts[0], counts[SAME_SHAPE - 1], counts[-1]
    traced_again = graph[SAME_SHAPE - 1] > graph[0] or (
        first is not None and same is not None and same > first
    )
    if traced_again:
        traces = same if same is not None else graph[SAME_SHAPE - 1] // max(graph[0], 1)
        shape = reference.batches[0][0].shape
        raise fail(
            f"the number of times {CALL} was traced for {SAME_SHAPE} batches of shape {shape}",
            expected="1: every call after the first reuses the graph",
            received=f"{traces} (a new trace on every call)",
            hint=hint + " A tf.function created inside step, or Python numbers that "
            "change from call to call as arguments, trace it again every time.",
        )
    retraced = graph[-1] > graph[SAME_SHAPE - 1] or (
        last is not None and same is not None and first is not None and last > first
    )
    note(
        "a batch of a new shape, "
        + ("traced the step a second time, as expected." if retraced else "reused the graph.")
    )
