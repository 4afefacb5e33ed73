"""Datasets for the exercises, loaded offline first from pinned, verified files."""

import numpy as np

from course.datasets.cats_dogs import CATS_VS_DOGS_CLASSES, cats_vs_dogs, write_image_folders
from course.datasets.fashion import (
    FASHION_MNIST_CLASSES,
    DatasetUnavailable,
    DatasetWarning,
    fashion_mnist,
    install_into_keras_cache,
)
from course.datasets.sentiment import rotten_tomatoes
from course.datasets.sonnets import shakespeare_sonnets
from course.datasets.sunspots import monthly_sunspots

#: One split of a labelled dataset as graders hold it: the examples and their labels.
Split = tuple[np.ndarray, np.ndarray]

__all__ = [
    "CATS_VS_DOGS_CLASSES",
    "FASHION_MNIST_CLASSES",
    "DatasetUnavailable",
    "DatasetWarning",
    "Split",
    "cats_vs_dogs",
    "fashion_mnist",
    "install_into_keras_cache",
    "monthly_sunspots",
    "rotten_tomatoes",
    "shakespeare_sonnets",
    "write_image_folders",
]
