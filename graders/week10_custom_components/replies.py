"""Validation of the probes' replies, before a week 10 grader trusts them."""

from __future__ import annotations

from typing import Any

import numpy as np

from course.grading.reports import MalformedData, expect, expect_array
from course.testing import format_shape


def field(reply: object, key: str, kind: type | tuple[type, ...], *, what: str) -> Any:
    return expect(expect(reply, dict, what=what).get(key), kind, what=f"{what}: {key}")


def described_class(reply: object, *, what: str) -> tuple[str, bool]:
    """A class as the worker describes it: its name, and whether it is the submission's own."""
    name = field(reply, "class_name", str, what=what)
    return name, field(reply, "is_submission_class", bool, what=what)


def value(reply: object, key: str, *, what: str) -> object:
    """``reply[key]``, of any type (validate it next)."""
    return expect(reply, dict, what=what).get(key)


def array(value: object, *, what: str, ndim: int | None = None) -> np.ndarray:
    """A numeric array (a number counts as a 0-d array) of rank ``ndim``."""
    if type(value) in (int, float):
        value = np.asarray(value, dtype="float64")
    return expect_array(value, what=what, ndim=ndim).astype("float64")


def array_at(reply: object, key: str, *, what: str) -> np.ndarray:
    """``reply[key]`` as a numeric array."""
    return array(value(reply, key, what=what), what=f"{what}: {key}")


def scalar(value: object, *, what: str) -> float:
    numbers = array(value, what=what)
    if numbers.size != 1:
        raise MalformedData(f"{what} should be one number, not shape {numbers.shape}")
    return float(numbers.reshape(()))


def arrays(reply: object, key: str, *, what: str, count: int | None = None) -> list[np.ndarray]:
    """``reply[key]``, a list of ``count`` numeric arrays (any number when ``None``)."""
    values = field(reply, key, list, what=what)
    if count is not None and len(values) != count:
        raise MalformedData(f"{what}: {key} holds {len(values)} values, not {count}")
    return [array(item, what=f"{what}: {key}") for item in values]


def scalars(reply: object, key: str, *, what: str, count: int | None = None) -> list[float]:
    """``reply[key]``, a list of ``count`` numbers (any number when ``None``)."""
    return [
        scalar(item, what=f"{what}: {key}") for item in arrays(reply, key, what=what, count=count)
    ]


def shapes(variables: list[dict[str, Any]]) -> str:
    """``a (3, 4), b (3, 4), c (4,)``: the names and shapes of some variables."""
    listed = (f"{v['name']} {format_shape(v['shape'])}" for v in variables)
    return ", ".join(listed) or "none"


def variables(reply: object, key: str, *, what: str) -> list[dict[str, Any]]:
    """``reply[key]``, a list of variables: each one's ``name`` and ``path`` (str), ``shape``
    (tuple) and ``trainable`` (bool)."""
    checked = []
    for index, entry in enumerate(field(reply, key, list, what=what)):
        label = f"{what}[{index}]"
        shape = expect(expect(entry, dict, what=label).get("shape"), list, what=label)
        checked.append(
            {
                **entry,
                "name": expect(entry.get("name"), str, what=f"{label} name"),
                "path": expect(entry.get("path"), str, what=f"{label} path"),
                "shape": tuple(expect(d, int, what=f"{label} shape") for d in shape),
                "trainable": expect(entry.get("trainable"), bool, what=f"{label} flag"),
            }
        )
    return checked
