"""A small declarative vocabulary for the plain data that crosses the worker boundary.

A :class:`Schema` says what a value should look like, and :meth:`Schema.problem` says in one
sentence where a value differs: ``the reply['model']['weights'][3] should be an array, not a
str``. Exact types (``bool`` is no number here), numpy arrays by dtype kind and rank, lists,
string-keyed maps, records with required and optional keys, ``None``-or, either-or and
literal values. :data:`ARGUMENT` is plain data in which each argument marker
(:mod:`course.probes.markers`) holds what the worker needs to build its object.

The probes' specs (:mod:`course.probes.specs`) are written with it. It imports neither
TensorFlow nor anything of ``course`` but the markers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course.probes.markers import (
    CALL_KEY,
    FUNCTION_KEY,
    MODEL_KEY,
    STRATEGY_KEY,
    VECTORIZER_KEY,
    marker_of,
)

#: The dtype kinds of the arrays that may cross the boundary.
ARRAY_KINDS = "biufcUS"


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"a {type(value).__name__}"


class Schema:
    """The expected form of a value; :meth:`problem` says what is wrong with one."""

    def problem(self, value: Any, where: str) -> str | None:
        """``None`` when ``value`` fits, else a sentence naming ``where`` it went wrong."""
        raise NotImplementedError


@dataclass(frozen=True)
class _Plain(Schema):
    """Any plain data: ``None``, ``bool``, ``int``, ``float``, ``str``, numpy arrays of
    numbers or fixed-width strings, and lists, tuples and string-keyed dicts of those."""

    def problem(self, value: Any, where: str) -> str | None:
        if value is None or isinstance(value, bool | int | float | str):
            return None
        if isinstance(value, np.ndarray | np.generic):
            kind = np.asarray(value).dtype.kind
            return None if kind in ARRAY_KINDS else f"{where} is {_describe(value)}, not data"
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if found := self.problem(item, f"{where}[{index}]"):
                    return found
            return None
        if isinstance(value, dict):
            return self.dict_problem(value, where)
        return f"{where} is {_describe(value)}, not plain data"

    def dict_problem(self, value: dict[Any, Any], where: str) -> str | None:
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has the key {key!r}, which is not a string"
            if found := self.problem(item, f"{where}[{key!r}]"):
                return found
        return None


@dataclass(frozen=True)
class _Argument(_Plain):
    """Plain data for the submission, in which each argument marker
    (:mod:`course.probes.markers`) holds what the worker needs to build its object."""

    def dict_problem(self, value: dict[Any, Any], where: str) -> str | None:
        key = marker_of(value)
        if key is None:
            return super().dict_problem(value, where)
        return MARKER_PAYLOADS[key].problem(value[key], f"{where}[{key!r}]")


#: Any plain data (what crosses the boundary at all).
PLAIN: Schema = _Plain()
#: An argument of a request: plain data, markers checked.
ARGUMENT: Schema = _Argument()


@dataclass(frozen=True)
class Exactly(Schema):
    """A value of one of ``kinds`` (``bool`` only where ``kinds`` names it)."""

    kinds: tuple[type, ...]
    name: str

    def problem(self, value: Any, where: str) -> str | None:
        if isinstance(value, bool) and bool not in self.kinds:
            return f"{where} should be {self.name}, not a bool"
        if isinstance(value, self.kinds):
            return None
        return f"{where} should be {self.name}, not {_describe(value)}"


@dataclass(frozen=True)
class _Text(Schema):
    """A ``str`` itself (numpy's ``str_`` crosses the boundary as an array)."""

    def problem(self, value: Any, where: str) -> str | None:
        return None if type(value) is str else f"{where} should be a str, not {_describe(value)}"


TEXT: Schema = _Text()
FLAG: Schema = Exactly((bool,), "a bool")
#: An integer; numpy's integers too (a grader's ``rng.integers(...)``).
INTEGER: Schema = Exactly((int, np.integer), "an integer")
#: A number, not a bool.
NUMBER: Schema = Exactly((int, float, np.integer, np.floating), "a number")


@dataclass(frozen=True)
class OneOf(Schema):
    """One of a few literal values."""

    values: tuple[Any, ...]

    def problem(self, value: Any, where: str) -> str | None:
        if type(value) in (str, int, bool) and value in self.values:
            return None
        listed = ", ".join(repr(v) for v in self.values)
        return f"{where} should be one of {listed}, not {value!r}"[:300]


@dataclass(frozen=True)
class Array(Schema):
    """A numpy array of one of the dtype ``kinds`` (numpy's letters), of rank ``ndim``."""

    kinds: str = "biuf"
    ndim: int | None = None

    def problem(self, value: Any, where: str) -> str | None:
        if type(value) is not np.ndarray:
            return f"{where} should be an array, not {_describe(value)}"
        if value.dtype.kind not in self.kinds:
            return f"{where} is an array of dtype {value.dtype}, not of numbers"
        if self.ndim is not None and value.ndim != self.ndim:
            return f"{where} has rank {value.ndim}, expected {self.ndim}"
        return None


@dataclass(frozen=True)
class ListOf(Schema):
    """A list (or, in a request, a tuple) whose every item fits ``item``."""

    item: Schema

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, list | tuple):
            return f"{where} should be a list, not {_describe(value)}"
        for index, item in enumerate(value):
            if found := self.item.problem(item, f"{where}[{index}]"):
                return found
        return None


@dataclass(frozen=True)
class MapOf(Schema):
    """A dict with string keys whose every value fits ``item``."""

    item: Schema

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} should be a dict, not {_describe(value)}"
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has the key {key!r}, which is not a string"
            if found := self.item.problem(item, f"{where}[{key!r}]"):
                return found
        return None


@dataclass(frozen=True)
class Record(Schema):
    """A dict with all the ``fields``, some of the ``optional`` ones, and other keys only
    where ``others`` says what their values are."""

    fields: Mapping[str, Schema]
    optional: Mapping[str, Schema] = field(default_factory=dict)
    others: Schema | None = None

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} should be a dict, not {_describe(value)}"
        missing = [key for key in self.fields if key not in value]
        if missing:
            return f"{where} has no {', '.join(repr(key) for key in missing)}"
        unknown = [key for key in value if key not in self.fields and key not in self.optional]
        if unknown and self.others is None:
            listed = ", ".join(repr(key) for key in unknown[:5])
            return f"{where} has unexpected keys: {listed}"[:300]
        for key, item in value.items():
            schema = self.fields.get(key) or self.optional.get(key) or self.others
            if not isinstance(key, str):
                return f"{where} has the key {key!r}, which is not a string"
            if schema is not None and (found := schema.problem(item, f"{where}[{key!r}]")):
                return found
        return None


@dataclass(frozen=True)
class Maybe(Schema):
    """``None``, or a value that fits ``item``."""

    item: Schema

    def problem(self, value: Any, where: str) -> str | None:
        return None if value is None else self.item.problem(value, where)


@dataclass(frozen=True)
class Either(Schema):
    """A value that fits one of ``options``; the message is the first option's."""

    options: tuple[Schema, ...]

    def problem(self, value: Any, where: str) -> str | None:
        problems = [option.problem(value, where) for option in self.options]
        return None if None in problems else problems[0]


#: What each argument marker holds (see :mod:`course.probes.markers`).
MARKER_PAYLOADS: dict[str, Schema] = {
    FUNCTION_KEY: Record({"kind": TEXT}, others=PLAIN),
    CALL_KEY: Record(
        {"function": TEXT}, optional={"args": ListOf(ARGUMENT), "kwargs": MapOf(ARGUMENT)}
    ),
    MODEL_KEY: Record({"config_json": TEXT, "weights": ListOf(PLAIN)}),
    VECTORIZER_KEY: Record({"vocabulary": ListOf(PLAIN), "sequence_length": INTEGER}),
    STRATEGY_KEY: OneOf((True,)),
}
