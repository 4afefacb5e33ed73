"""Datasets for the exercises, loaded offline first from pinned, verified files."""

import warnings

from course.datasets.fashion_mnist import (
    FASHION_MNIST_CLASSES,
    DatasetUnavailable,
    DatasetWarning,
    fashion_mnist,
    install_into_keras_cache,
)

# `python -m course.datasets.fashion_mnist` imports this package (hence the module) before
# running the module as __main__, and runpy warns about that. Running it twice is harmless
# here; a lazy import would instead let the submodule shadow the function `fashion_mnist`.
warnings.filterwarnings(
    "ignore",
    message=r"'course\.datasets\.fashion_mnist' found in sys\.modules",
    category=RuntimeWarning,
)

__all__ = [
    "FASHION_MNIST_CLASSES",
    "DatasetUnavailable",
    "DatasetWarning",
    "fashion_mnist",
    "install_into_keras_cache",
]
