"""Fixtures shared by the week 4 graders: the data, loaded once per grading run."""

from __future__ import annotations

import pytest

from course.datasets import Split, fashion_mnist


@pytest.fixture(scope="session")
def fashion() -> tuple[Split, Split]:
    """Fashion-MNIST, official split: ((x_train, y_train), (x_test, y_test)), uint8."""
    return fashion_mnist()
