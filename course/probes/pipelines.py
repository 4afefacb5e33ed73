"""Probes about ``tf.data`` pipelines: element spec, batches, order and transformations."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn
from course.probes.values import get_callable, prepare_arguments, to_plain

#: How many batches of an infinite dataset (``repeat()``) are read: enough to describe it.
INFINITE_DATASET_BATCHES = 1_000


def _spec_to_plain(spec: Any) -> Any:
    import tensorflow as tf

    if isinstance(spec, tuple | list):
        return [_spec_to_plain(item) for item in spec]
    if isinstance(spec, dict):
        return {str(key): _spec_to_plain(item) for key, item in spec.items()}
    if isinstance(spec, tf.TensorSpec):
        return {"shape": spec.shape.as_list(), "dtype": spec.dtype.name}
    return {"type": type(spec).__name__}


def _transformations(dataset: Any) -> list[str]:
    names = []
    node = dataset
    for _ in range(100):
        names.append(type(node).__name__.lstrip("_"))
        node = getattr(node, "_input_dataset", None)
        if node is None:
            break
    return names


@probe("dataset.describe")
def describe(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    max_batches: int = 100_000,
) -> dict[str, Any]:
    """Call ``function`` and describe the ``tf.data.Dataset`` it returns.

    Iterates the whole dataset once: the grader gets the first batch in full, the size of
    every batch and, for ``(features, target)`` elements, every target in iteration order.
    An infinite dataset is read for at most :data:`INFINITE_DATASET_BATCHES` batches; its
    ``cardinality`` (``tf.data.INFINITE_CARDINALITY``, -1) tells the grader why.
    """
    import tensorflow as tf

    positional = prepare_arguments(list(args or []), as_tensors=False, module=module)
    keywords = prepare_arguments(dict(kwargs or {}), as_tensors=False, module=module)
    dataset = get_callable(module, function)(*positional, **keywords)
    if not isinstance(dataset, tf.data.Dataset):
        raise InvalidReturn(
            f"{function}() returned a {type(dataset).__name__}, not a tf.data.Dataset"
        )
    cardinality = int(dataset.cardinality().numpy())
    if cardinality == tf.data.INFINITE_CARDINALITY:
        max_batches = min(max_batches, INFINITE_DATASET_BATCHES)
    first_batch: Any = None
    batch_sizes: list[int] = []
    targets: list[np.ndarray] = []
    for index, element in enumerate(dataset):
        if index >= max_batches:
            break
        parts = element if isinstance(element, tuple | list) else (element,)
        if index == 0:
            first_batch = to_plain(list(parts), what="the first batch")
        features = tf.nest.flatten(parts[0])  # the first tensor of a dict or tuple counts
        batch_sizes.append(int(features[0].shape[0]) if features and features[0].shape.rank else 1)
        if len(parts) == 2 and isinstance(parts[1], tf.Tensor):
            targets.append(np.atleast_1d(parts[1].numpy()))
    return {
        "element_spec": _spec_to_plain(dataset.element_spec),
        "transformations": _transformations(dataset),
        "cardinality": cardinality,
        "first_batch": first_batch,
        "batch_sizes": batch_sizes,
        "targets": np.concatenate(targets) if targets else None,
    }
