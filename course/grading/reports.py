"""Typed views of the plain data a worker returns, validated before a grader trusts them.

Every field is checked for its exact type, and every array for its dtype and rank, as it is
read; malformed data raises :class:`~course.grading.errors.SubmissionError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from course.grading.errors import MalformedData as MalformedData  # graders import it here
from course.grading.errors import SubmissionError


def expect(value: Any, kind: type | tuple[type, ...], *, what: str) -> Any:
    """``value`` if its exact type is ``kind`` (``bool`` is not an ``int`` here)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if type(value) not in kinds:
        names = " or ".join(k.__name__ for k in kinds)
        raise MalformedData(f"{what} should be {names}, not {type(value).__name__}")
    return value


def expect_array(
    value: Any, *, what: str, kinds: str = "biuf", ndim: int | None = None
) -> np.ndarray:
    """``value`` if it is a numpy array of one of the dtype ``kinds`` and rank ``ndim``."""
    if type(value) is not np.ndarray:
        raise MalformedData(f"{what} should be an array, not {type(value).__name__}")
    if value.dtype.kind not in kinds:
        raise MalformedData(f"{what} has dtype {value.dtype}, expected numbers")
    if ndim is not None and value.ndim != ndim:
        raise MalformedData(f"{what} has rank {value.ndim}, expected {ndim}")
    return value


def _shape_or_none(value: Any, *, what: str) -> tuple[int | None, ...] | None:
    if value is None:
        return None
    items = expect(value, list, what=what)
    if items and isinstance(items[0], list):  # models with several inputs or outputs
        return None
    for item in items:
        if item is not None and type(item) is not int:
            raise MalformedData(f"{what} holds {item!r}, not a dimension")
    return tuple(items)


def snake_case(name: str) -> str:
    """``SparseCategoricalCrossentropy`` -> ``sparse_categorical_crossentropy``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@dataclass(frozen=True)
class LayerReport:
    """One layer of a submitted model."""

    class_name: str
    name: str
    config: dict[str, Any] | None
    output_shape: tuple[int | None, ...] | None
    trainable: bool
    weight_shapes: tuple[tuple[int, ...], ...]

    @property
    def kind(self) -> str:
        """The class name, or ``Bidirectional(LSTM)`` for a wrapper, from its config."""
        if self.class_name == "Bidirectional":
            inner = (self.config or {}).get("layer")
            name = inner.get("class_name") if isinstance(inner, dict) else None
            return f"Bidirectional({name or '?'})"
        return self.class_name

    @classmethod
    def from_plain(cls, data: Any, *, what: str) -> LayerReport:
        expect(data, dict, what=what)
        shapes = expect(data.get("weight_shapes"), list, what=f"{what} weight shapes")
        config = data.get("config")
        return cls(
            class_name=expect(data.get("class_name"), str, what=f"{what} class"),
            name=expect(data.get("name"), str, what=f"{what} name"),
            config=None if config is None else expect(config, dict, what=f"{what} config"),
            output_shape=_shape_or_none(data.get("output_shape"), what=f"{what} output shape"),
            trainable=expect(data.get("trainable"), bool, what=f"{what} trainable"),
            weight_shapes=tuple(
                tuple(int(expect(d, int, what=f"{what} weight shape")) for d in s) for s in shapes
            ),
        )


@dataclass(frozen=True)
class ModelReport:
    """A submitted model as plain data: structure, compile settings, weights, predictions."""

    class_name: str
    class_chain: tuple[str, ...]
    config_json: str | None
    layers: tuple[LayerReport, ...]
    input_shape: tuple[int | None, ...] | None
    output_shape: tuple[int | None, ...] | None
    weights: tuple[np.ndarray, ...]
    #: Each weight's path, as Keras names it (``sequential/dense/kernel``), in ``weights``' order.
    weight_names: tuple[str, ...]
    weight_trainable: tuple[bool, ...]
    compiled: bool
    compile_config: dict[str, Any] | None
    predictions: np.ndarray | None

    @classmethod
    def from_plain(cls, data: Any) -> ModelReport:
        expect(data, dict, what="the model description")
        weights = tuple(
            expect_array(w, what=f"weight {i}")
            for i, w in enumerate(expect(data.get("weights"), list, what="the weights"))
        )
        trainable = tuple(
            expect(t, bool, what="a trainable flag")
            for t in expect(data.get("weight_trainable"), list, what="the trainable flags")
        )
        if len(trainable) != len(weights):
            raise MalformedData("the trainable flags do not match the weights")
        names = tuple(
            expect(name, str, what="a weight name")
            for name in expect(data.get("weight_names"), list, what="the weight names")
        )
        if len(names) != len(weights):
            raise MalformedData("the weight names do not match the weights")
        predictions = data.get("predictions")
        compile_config = data.get("compile_config")
        config_json = data.get("config_json")
        return cls(
            class_name=expect(data.get("class_name"), str, what="the model class"),
            class_chain=tuple(
                expect(c, str, what="a class name")
                for c in expect(data.get("class_chain"), list, what="the class chain")
            ),
            config_json=None if config_json is None else expect(config_json, str, what="config"),
            layers=tuple(
                LayerReport.from_plain(layer, what=f"layer {index}")
                for index, layer in enumerate(expect(data.get("layers"), list, what="layers"))
            ),
            input_shape=_shape_or_none(data.get("input_shape"), what="the input shape"),
            output_shape=_shape_or_none(data.get("output_shape"), what="the output shape"),
            weights=weights,
            weight_names=names,
            weight_trainable=trainable,
            compiled=expect(data.get("compiled"), bool, what="the compiled flag"),
            compile_config=(
                None
                if compile_config is None
                else expect(compile_config, dict, what="the compile settings")
            ),
            predictions=(
                None
                if predictions is None
                else expect_array(predictions, what="the predictions", kinds="f")
            ),
        )

    @property
    def parameter_count(self) -> int:
        """All parameters, counted from the weight arrays (trainable or not)."""
        return int(sum(w.size for w in self.weights))

    @property
    def trainable_parameter_count(self) -> int:
        return int(
            sum(w.size for w, t in zip(self.weights, self.weight_trainable, strict=True) if t)
        )

    @property
    def layer_classes(self) -> tuple[str, ...]:
        return tuple(layer.class_name for layer in self.layers)

    @property
    def loss_name(self) -> str | None:
        """The loss as a snake_case name, whether given as a string, a class or a function."""
        loss = (self.compile_config or {}).get("loss")
        return _object_name(loss)

    @property
    def optimizer_name(self) -> str | None:
        """The optimizer's class in lower case: ``sgd``, ``adam``, ``rmsprop``..."""
        optimizer = (self.compile_config or {}).get("optimizer")
        if isinstance(optimizer, dict):
            optimizer = optimizer.get("class_name")
        return optimizer.lower() if isinstance(optimizer, str) else None

    @property
    def learning_rate(self) -> float | None:
        optimizer = (self.compile_config or {}).get("optimizer")
        if isinstance(optimizer, dict):
            rate = (optimizer.get("config") or {}).get("learning_rate")
            if isinstance(rate, int | float) and not isinstance(rate, bool):
                return float(rate)
        return None

    @property
    def metric_names(self) -> tuple[str, ...]:
        metrics = (self.compile_config or {}).get("metrics") or []
        if isinstance(metrics, dict):  # one list per named output
            metrics = [m for group in metrics.values() for m in (group or [])]
        names = (_object_name(m) for m in metrics if not isinstance(m, list))
        return tuple(name for name in names if name)


def _object_name(value: Any) -> str | None:
    if isinstance(value, str):
        return snake_case(value) if value[:1].isupper() else value
    if isinstance(value, dict):
        name = value.get("class_name")
        if name == "function":
            name = value.get("config")
        return snake_case(name) if isinstance(name, str) else None
    return None


@dataclass(frozen=True)
class TrainingReport:
    """A model after the submission trained it, with the per-epoch logs of that training.

    When the submission's trainer did not return a History, ``history`` is empty and
    ``history_problem`` says what it returned instead; the model is still described.
    """

    model: ModelReport
    history: dict[str, tuple[float, ...]]
    epochs: tuple[int, ...]
    history_problem: str | None = None

    def require_history(self) -> None:
        """Raise the student-facing error when the trainer returned no History."""
        if self.history_problem is not None:
            raise SubmissionError(self.history_problem)

    @classmethod
    def from_plain(cls, data: Any) -> TrainingReport:
        expect(data, dict, what="the training report")
        model = ModelReport.from_plain(data.get("model"))
        problem = data.get("history_problem")
        if problem is not None:
            return cls(
                model=model,
                history={},
                epochs=(),
                history_problem=expect(problem, str, what="the history problem"),
            )
        history_part = expect(data.get("history"), dict, what="the history")
        logs = expect(history_part.get("history"), dict, what="the history logs")
        history = {
            expect(key, str, what="a metric name"): tuple(
                float(expect(v, (int, float), what=f"the {key} history"))
                for v in expect(values, list, what=f"the {key} history")
            )
            for key, values in logs.items()
        }
        epochs = tuple(
            expect(e, int, what="an epoch")
            for e in expect(history_part.get("epochs"), list, what="the epochs")
        )
        return cls(model=model, history=history, epochs=epochs)


@dataclass(frozen=True)
class ImageDataset:
    """One ``tf.data.Dataset`` an image loader returned, read to the end by the worker
    (the ``images.datasets`` probe): its batches' images and labels, each concatenated."""

    class_name: str
    element_spec: Any
    cardinality: int
    #: ``image_dataset_from_directory``'s ``class_names``; ``None`` once the dataset is mapped.
    class_names: tuple[str, ...] | None
    batch_sizes: tuple[int, ...]
    #: Every batch's images; ``None`` when they held more values than the grader asked to
    #: see, or when the batches' shapes differ.
    features: np.ndarray | None
    targets: np.ndarray | None


@dataclass(frozen=True)
class ReturnedDatasets:
    """What an image loader returned: the class of the value (``tuple``, ``list``, a
    dataset's own class) and each item in it, a dataset or the class name of what it is."""

    class_name: str
    items: tuple[ImageDataset | str, ...]

    @classmethod
    def from_plain(cls, data: Any) -> ReturnedDatasets:
        """The ``images.datasets`` probe's reply, whose spec (:mod:`course.probes.specs`)
        the runner has already checked."""
        items: list[ImageDataset | str] = []
        for item in data["datasets"]:
            if "element_spec" not in item:
                items.append(item["class_name"])
                continue
            names = item["class_names"]
            items.append(
                ImageDataset(
                    class_name=item["class_name"],
                    element_spec=item["element_spec"],
                    cardinality=item["cardinality"],
                    class_names=None if names is None else tuple(names),
                    batch_sizes=tuple(item["batch_sizes"]),
                    features=item["features"] if item["features_complete"] else None,
                    targets=item["targets"],
                )
            )
        return cls(class_name=data["class_name"], items=tuple(items))


@dataclass(frozen=True)
class DatasetReport:
    """A ``tf.data.Dataset`` the submission returned, iterated once by the worker."""

    element_spec: Any
    transformations: tuple[str, ...]
    cardinality: int
    first_batch: tuple[np.ndarray, ...]
    batch_sizes: tuple[int, ...]
    targets: np.ndarray | None

    @classmethod
    def from_plain(cls, data: Any) -> DatasetReport:
        expect(data, dict, what="the dataset description")
        first = data.get("first_batch")
        first_batch: Sequence[Any] = [] if first is None else expect(first, list, what="batch")
        targets = data.get("targets")
        return cls(
            element_spec=data.get("element_spec"),
            transformations=tuple(
                expect(t, str, what="a transformation")
                for t in expect(data.get("transformations"), list, what="transformations")
            ),
            cardinality=expect(data.get("cardinality"), int, what="the cardinality"),
            first_batch=tuple(
                expect_array(part, what="a batch component", kinds="biufUS") for part in first_batch
            ),
            batch_sizes=tuple(
                expect(size, int, what="a batch size")
                for size in expect(data.get("batch_sizes"), list, what="the batch sizes")
            ),
            targets=None if targets is None else expect_array(targets, what="the targets"),
        )
