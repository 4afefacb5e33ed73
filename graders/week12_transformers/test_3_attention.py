"""Week 12 grader, part 3: ``scaled_dot_product_attention`` (exercise 12.4).

Inputs drawn afresh at each grading (``fresh_rng(submission, "attention")``; ranges
inclusive), standard normal float32 tensors in the worker: a batch ``b`` of 1 to 3, ``m``
queries from 2 to 7, ``n`` keys from 3 to 8, a depth ``d`` from 4 to 16 (never 1, where
dividing by ``d`` and by its square root agree), a value depth from 2 to 6, 2 to 4 heads:

* ``3d``: ``q`` (b, m, d), ``k`` (b, n, d), ``v`` (b, n, d_v);
* ``4d``: ``q`` (b, h, m, d), ``k`` (b, h, n, d), ``v`` (b, h, n, d_v): heads as well;
* ``self``: ``q = k = v`` (b, s, d), s from 3 to 8, for the look-ahead mask.

The masks are this process's, True = may attend: a padding mask (b, 1, n) hiding the last
1 to n - 2 keys of each sentence ((b, 1, 1, n) for ``4d``), and the look-ahead mask (s, s).

Exact answers, no thresholds of the grader's own beyond float tolerance (1e-5 on weights
in [0, 1] and outputs of size ~1, where float32 keeps ~1e-7): the weights must equal this
process's ``softmax(q k^T / sqrt(depth))`` over the keys; the output must equal the
submission's own weights times ``v`` (so a mistake in the weights costs one check, not two);
with a mask, every masked key must get a weight below 1e-6 and the other weights must be
the submission's own unmasked weights renormalised over the allowed keys (again its own, so
a wrong scale costs only the weights check). Mistakes recognised by name: scaling by
``depth`` or not at all, the softmax over the queries, and a mask read the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, draw_between, fail, format_shape, fresh_rng, show_heatmap

from . import reference

pytestmark = pytest.mark.visibility("visible")

FUNCTION = "scaled_dot_product_attention"
BATCH = (1, 3)  # inclusive, as are the other ranges
QUERIES = (2, 7)
KEYS = (3, 8)
DEPTH = (4, 16)
VALUE_DEPTH = (2, 6)
HEADS = (2, 4)
SELF_LENGTH = (3, 8)
TOLERANCE = 1e-5
MASKED_WEIGHT = 1e-6
HINT = (
    "scores = tf.matmul(q, k, transpose_b=True) / sqrt(depth of k); where the mask is False "
    "put -1e9; weights = tf.nn.softmax(scores, axis=-1); output = tf.matmul(weights, v)."
)

Case = dict[str, np.ndarray]
Result = tuple[np.ndarray, np.ndarray]  # (output, weights), float64
Results = Callable[[str, bool], Result]


@pytest.fixture(scope="module")
def cases(submission: Submission) -> dict[str, Case]:
    rng = fresh_rng(submission, "attention")
    size = partial(draw_between, rng)

    def normal(*shape: int) -> np.ndarray:
        return rng.normal(size=shape).astype("float32")

    batch, queries, keys = size(BATCH), size(QUERIES), size(KEYS)
    depth, value_depth, heads = size(DEPTH), size(VALUE_DEPTH), size(HEADS)
    length = size(SELF_LENGTH)
    padding = np.ones((batch, 1, keys), dtype=bool)
    for row in range(batch):
        padding[row, 0, keys - size((1, keys - 2)) :] = False
    self_attention = normal(batch, length, depth)
    masks = {"3d": ((batch,), padding), "4d": ((batch, heads), padding[:, np.newaxis])}
    cases = {
        name: {
            "q": normal(*leading, queries, depth),
            "k": normal(*leading, keys, depth),
            "v": normal(*leading, keys, value_depth),
            "mask": mask,
        }
        for name, (leading, mask) in masks.items()
    }
    look_ahead = np.tril(np.ones((length, length), dtype=bool))
    return cases | {"self": dict.fromkeys("qkv", self_attention) | {"mask": look_ahead}}


@pytest.fixture(scope="module")
def results(submission: Submission, cases: dict[str, Case]) -> Results:
    """``results(case, masked)``: the submission's (output, weights), each called once, when
    a check first needs it."""

    @cache
    def result(name: str, masked: bool) -> Result:
        case = cases[name]
        args = [case["q"], case["k"], case["v"]] + ([case["mask"]] if masked else [])
        value = submission.call(FUNCTION, *args, as_tensors=True)
        return _split(value, case, describe(name, case, masked=masked))

    return result


def _split(value: object, case: Case, what: str) -> Result:
    hint = "return the tuple (output, weights): return tf.matmul(weights, v), weights."
    if not isinstance(value, list) or len(value) != 2:
        received = f"{len(value)} values" if isinstance(value, list) else type(value).__name__
        raise fail(f"the value of {what}", expected="two tensors", received=received, hint=hint)
    leading = case["q"].shape[:-1]
    shapes = {"output": (*leading, case["v"].shape[-1]), "weights": (*leading, case["k"].shape[-2])}
    swapped = [getattr(item, "shape", None) for item in value] == list(shapes.values())[::-1]
    for number, ((part, shape), item) in enumerate(zip(shapes.items(), value, strict=True)):
        check_array(
            item,
            f"the {part} (item {number + 1}) of {what}",
            shape=shape,
            kind="f",
            hint=("you return output and weights in the wrong order; " if swapped else "")
            + "the output is (..., seq_q, depth_v), the weights (..., seq_q, seq_k); "
            + hint,
        )
    return value[0].astype("float64"), value[1].astype("float64")


def describe(name: str, case: Case, *, masked: bool) -> str:
    shapes = ", ".join(format_shape(case[part].shape) for part in ("q", "k", "v"))
    mask = f", a mask of shape {format_shape(case['mask'].shape)}" if masked else ""
    return f"{FUNCTION}(q, k, v{', mask' if masked else ''}) for q, k, v of shapes {shapes}{mask}"


def first_row(array: np.ndarray) -> str:
    return np.array2string(array.reshape(-1, array.shape[-1])[0], precision=4)


@pytest.mark.points(1)
def test_attention_returns_output_and_weights(results: Results, cases: dict[str, Case]) -> None:
    """scaled_dot_product_attention returns (output, weights) with the shapes of the contract"""
    for name in cases:
        results(name, False)
        results(name, True)


@pytest.mark.points(2)
def test_attention_weights(results: Results, cases: dict[str, Case]) -> None:
    """the weights are softmax(q k^T / sqrt(depth)) over the keys"""
    for index, (name, case) in enumerate(cases.items()):
        _, weights = results(name, False)
        q, k = case["q"], case["k"]
        expected = reference.softmax(reference.attention_scores(q, k))
        if index == 0:  # a picture of one matrix: queries attending to keys
            show_heatmap(
                weights.reshape(-1, *weights.shape[-2:])[0],
                title=f"Your attention weights for {describe(name, case, masked=False)} "
                "(the first matrix; rows: queries, columns: keys)",
            )
        if np.allclose(weights, expected, atol=TOLERANCE, rtol=0):
            continue
        depth = k.shape[-1]
        known = {  # (the divisor of the scores, the softmax's axis) of each mistake
            f"scores divided by depth ({depth}) instead of its square root": (depth, -1),
            "scores not divided by sqrt(depth)": (1.0, -1),
            "a softmax over the queries (axis -2) instead of the keys": (None, -2),
        }
        wrong = {
            text: reference.softmax(reference.attention_scores(q, k, scale=scale), axis=axis)
            for text, (scale, axis) in known.items()
        }
        mistake = reference.which(weights, wrong, atol=1e-4)
        rows = weights.sum(axis=-1)
        raise fail(
            f"the weights of {describe(name, case, masked=False)} (first row shown)",
            expected=first_row(expected),
            received=first_row(weights)
            + (f", the weights of {mistake}" if mistake else "")
            + f"; row sums from {rows.min():.4f} to {rows.max():.4f}",
            hint=HINT,
        )


@pytest.mark.points(1)
def test_attention_output_is_weights_times_values(results: Results, cases: dict[str, Case]) -> None:
    """the output is the weights times v: a weighted average of the values"""
    for name, case in cases.items():
        output, weights = results(name, False)
        expected = np.matmul(weights, case["v"].astype("float64"))
        if not np.allclose(output, expected, atol=TOLERANCE, rtol=0):
            raise fail(
                f"the output of {describe(name, case, masked=False)} (first row shown)",
                expected="your weights times v: " + first_row(expected),
                received=first_row(output),
                hint="output = tf.matmul(weights, v), with the softmax weights (not the scores).",
            )


@pytest.mark.points(2)
def test_masked_keys_get_no_weight(results: Results, cases: dict[str, Case]) -> None:
    """with a mask (True = may attend), masked keys get a weight below 1e-6"""
    for name, case in cases.items():
        _, weights = results(name, True)
        _, unmasked = results(name, False)
        allowed = np.broadcast_to(case["mask"], weights.shape)
        what = describe(name, case, masked=True)
        leaked = float(weights[~allowed].max())
        if leaked >= MASKED_WEIGHT:
            reversed_mask = float(weights[allowed].max()) < MASKED_WEIGHT
            raise fail(
                f"the largest weight of a masked key (mask False) in {what}",
                expected=f"below {MASKED_WEIGHT:g}",
                received=f"{leaked:.4g}"
                + (
                    "; the keys the mask allows got none: you read the mask the other way round"
                    if reversed_mask
                    else ""
                ),
                hint="the mask is True where the query MAY attend (Keras's convention): put "
                "-1e9 in the scores where it is False, e.g. tf.where(mask, scores, -1e9), "
                "before the softmax over the last axis.",
            )
        expected = np.where(allowed, unmasked, 0.0)
        expected = expected / expected.sum(axis=-1, keepdims=True)
        if not np.allclose(weights, expected, atol=TOLERANCE, rtol=0):
            raise fail(
                f"the weights of the allowed keys in {what} (first row shown)",
                expected="your unmasked weights, renormalised over the allowed keys: "
                + first_row(expected),
                received=first_row(weights),
                hint="change only the scores of masked keys (to -1e9) and leave the others as "
                "they are; then take the softmax.",
            )
