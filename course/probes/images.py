"""Probes about image pipelines: every batch of the datasets a function returns.

An image pipeline often returns several datasets at once (training and validation), and the
grader needs all their images, not only the first batch, to tell which photos went where.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.pipelines import _spec_to_plain
from course.probes.values import get_callable, prepare_arguments, to_plain

#: Largest number of feature values returned per dataset when the grader sets no limit.
DEFAULT_MAX_FEATURE_VALUES = 16_000_000
#: How many batches of an infinite dataset (``repeat()``) are read.
INFINITE_DATASET_BATCHES = 1_000


def _read_dataset(dataset: Any, *, max_batches: int, max_feature_values: int) -> dict[str, Any]:
    """Iterate ``dataset`` once; its batches' features (while they fit) and targets."""
    import tensorflow as tf

    cardinality = int(dataset.cardinality().numpy())
    if cardinality == tf.data.INFINITE_CARDINALITY:
        max_batches = min(max_batches, INFINITE_DATASET_BATCHES)
    features: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    batch_sizes: list[int] = []
    feature_values = 0
    features_complete = True
    for index, element in enumerate(dataset):
        if index >= max_batches:
            break
        parts = element if isinstance(element, tuple | list) else (element,)
        flat = tf.nest.flatten(parts[0])  # the first tensor of a dict or tuple counts
        batch_sizes.append(int(flat[0].shape[0]) if flat and flat[0].shape.rank else 1)
        first = parts[0]
        if (
            features_complete
            and isinstance(first, tf.Tensor)
            and feature_values + int(tf.size(first)) <= max_feature_values
        ):
            features.append(to_plain(first, what="the images of a batch"))
            feature_values += int(tf.size(first))
        else:
            features_complete = False
        if len(parts) == 2 and isinstance(parts[1], tf.Tensor):
            targets.append(to_plain(parts[1], what="the labels of a batch"))
    return {
        "class_name": type(dataset).__name__,
        "element_spec": _spec_to_plain(dataset.element_spec),
        "cardinality": cardinality,
        "class_names": _class_names(dataset),
        "batch_sizes": batch_sizes,
        "features": _concatenate(features),
        "features_complete": features_complete,
        "targets": _concatenate(targets),
    }


def _class_names(dataset: Any) -> list[str] | None:
    names = getattr(dataset, "class_names", None)
    if isinstance(names, list | tuple) and all(type(name) is str for name in names):
        return [str(name) for name in names]
    return None


def _concatenate(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The batches as one array, or ``None`` when there are none or their shapes disagree."""
    if not arrays or len({(a.shape[1:], a.dtype) for a in arrays}) != 1 or arrays[0].ndim == 0:
        return None
    return np.concatenate(arrays)


@probe("images.datasets")
def datasets(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    max_batches: int = 100_000,
    max_feature_values: int = DEFAULT_MAX_FEATURE_VALUES,
) -> dict[str, Any]:
    """Call ``function`` and read every dataset it returns (one, or a tuple or list of them).

    For each ``tf.data.Dataset``: its element spec, cardinality, ``class_names`` attribute
    (what ``image_dataset_from_directory`` sets; ``None`` once the dataset is mapped), the
    size of every batch, the first component of every batch (the images) concatenated, as
    long as they hold at most ``max_feature_values`` values in all (``features_complete``
    says whether they did), and the second component (the labels) concatenated. Anything
    returned that is not a dataset is described by its type name only.
    """
    import tensorflow as tf

    positional = prepare_arguments(list(args or []), as_tensors=False, module=module)
    keywords = prepare_arguments(dict(kwargs or {}), as_tensors=False, module=module)
    value = get_callable(module, function)(*positional, **keywords)
    items = list(value) if isinstance(value, tuple | list) else [value]
    described: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, tf.data.Dataset):
            described.append(
                _read_dataset(item, max_batches=max_batches, max_feature_values=max_feature_values)
            )
        else:
            described.append({"class_name": type(item).__name__})
    return {"class_name": type(value).__name__, "datasets": described}
