"""The ``images.datasets`` probe: every batch of every dataset a pipeline function returns.

Week 4 reads the training and validation datasets that ``image_dataset_from_directory``
builds, to tell which photos went where; these tests call the probe directly on a module
made from source text, as the worker would.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from course.probes import images
from tests.probes.modules import module_from_source

tf = pytest.importorskip("tensorflow")

PIPELINES = """
import numpy as np
import tensorflow as tf


def two_splits(count):
    images = np.arange(count * 4, dtype="float32").reshape(count, 2, 2, 1)
    labels = np.arange(count, dtype="int32") % 2
    train = tf.data.Dataset.from_tensor_slices((images[:-2], labels[:-2])).batch(3)
    validation = tf.data.Dataset.from_tensor_slices((images[-2:], labels[-2:])).batch(3)
    return train, validation


def named():
    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((4, 2, 2, 1), "float32")).batch(2)
    dataset.class_names = ["cats", "dogs"]
    return dataset


def endless():
    return tf.data.Dataset.from_tensor_slices(np.zeros((2, 1), "float32")).repeat().batch(1)


def dataset_and_more():
    return tf.data.Dataset.range(3).batch(2), "not a dataset"
"""


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return module_from_source(PIPELINES)


def test_every_batch_of_every_dataset_comes_back(module: ModuleType) -> None:
    """Both splits: batch sizes, the images concatenated in order and their labels."""
    reply = images.datasets(module, function="two_splits", args=[7])
    assert reply["class_name"] == "tuple"
    train, validation = reply["datasets"]
    assert train["batch_sizes"] == [3, 2]
    assert train["cardinality"] == 2
    assert train["features_complete"] is True
    np.testing.assert_array_equal(train["features"][:, 0, 0, 0], [0, 4, 8, 12, 16])
    np.testing.assert_array_equal(train["targets"], [0, 1, 0, 1, 0])
    assert validation["batch_sizes"] == [2]
    np.testing.assert_array_equal(validation["targets"], [1, 0])


def test_class_names_are_reported_when_the_dataset_has_them(module: ModuleType) -> None:
    """image_dataset_from_directory's class_names attribute is read; absent, it is None."""
    (described,) = images.datasets(module, function="named")["datasets"]
    assert described["class_names"] == ["cats", "dogs"]
    assert described["targets"] is None  # no labels in this dataset
    (plain,) = images.datasets(module, function="two_splits", args=[4])["datasets"][:1]
    assert plain["class_names"] is None


def test_images_beyond_the_limit_are_not_sent(module: ModuleType) -> None:
    """Past max_feature_values the images stop, the batch sizes and labels do not."""
    reply = images.datasets(module, function="two_splits", args=[12], max_feature_values=20)
    train = reply["datasets"][0]
    assert train["features_complete"] is False
    assert train["features"].shape == (3, 2, 2, 1)  # the first batch (12 values) fit
    assert train["batch_sizes"] == [3, 3, 3, 1]
    assert len(train["targets"]) == 10


def test_an_endless_dataset_is_read_only_so_far(module: ModuleType) -> None:
    """A repeat()ed dataset is read for INFINITE_DATASET_BATCHES batches, then left."""
    (endless,) = images.datasets(module, function="endless")["datasets"]
    assert endless["cardinality"] == tf.data.INFINITE_CARDINALITY
    assert len(endless["batch_sizes"]) == images.INFINITE_DATASET_BATCHES


def test_what_is_not_a_dataset_is_named_by_its_type(module: ModuleType) -> None:
    """A returned value that is not a dataset is described by its class name alone."""
    reply = images.datasets(module, function="dataset_and_more")
    assert reply["datasets"][1] == {"class_name": "str"}
    assert reply["datasets"][0]["batch_sizes"] == [2, 1]
