"""Datasets for the exercises, loaded offline first from pinned, verified files."""

from course.datasets.fashion import (
    FASHION_MNIST_CLASSES,
    DatasetUnavailable,
    DatasetWarning,
    fashion_mnist,
    install_into_keras_cache,
)

__all__ = [
    "FASHION_MNIST_CLASSES",
    "DatasetUnavailable",
    "DatasetWarning",
    "fashion_mnist",
    "install_into_keras_cache",
]
