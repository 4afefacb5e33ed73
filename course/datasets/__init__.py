"""Datasets for the exercises, loaded offline first from pinned, verified files."""

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

__all__ = [
    "CATS_VS_DOGS_CLASSES",
    "FASHION_MNIST_CLASSES",
    "DatasetUnavailable",
    "DatasetWarning",
    "cats_vs_dogs",
    "fashion_mnist",
    "install_into_keras_cache",
    "monthly_sunspots",
    "rotten_tomatoes",
    "shakespeare_sonnets",
    "write_image_folders",
]
