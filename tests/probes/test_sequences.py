"""The ``sequences.fit`` probe: a builder that takes the grader's sizes, then ``fit``.

Week 7's next-word model is built for the vocabulary size and sequence length the grader
chose; the test calls the probe directly on a module made from source text.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from course.probes import sequences
from course.probes.errors import InvalidReturn
from tests.probes.modules import module_from_source

keras = pytest.importorskip("keras")

BUILDERS = """
import keras


def build(vocabulary_size, sequence_length):
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 4),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(vocabulary_size, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def build_uncompiled(vocabulary_size, sequence_length):
    return keras.Sequential([keras.Input(shape=(sequence_length,)), keras.layers.Dense(1)])
"""


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return module_from_source(BUILDERS)


def test_the_model_is_built_for_the_graders_sizes_and_trained(module: ModuleType) -> None:
    """builder(10, 5): the output has 10 classes and fit's options (3 epochs) are used."""
    x = np.arange(20, dtype="int32").reshape(4, 5) % 10
    y = np.array([1, 2, 3, 4], "int32")
    reply = sequences.fit(
        module, builder="build", args=[10, 5], x=x, y=y, fit_options={"epochs": 3}
    )
    assert reply["model"]["output_shape"] == [None, 10]
    assert reply["model"]["input_shape"] == [None, 5]
    assert reply["history"]["epochs"] == [0, 1, 2]


def test_an_uncompiled_model_is_refused_with_the_fix(module: ModuleType) -> None:
    """The reply says to call compile() instead of failing inside fit."""
    with pytest.raises(InvalidReturn, match=r"not compiled; call compile\(\)"):
        sequences.fit(
            module,
            builder="build_uncompiled",
            args=[10, 5],
            x=np.zeros((2, 5), "float32"),
            y=np.zeros((2, 1), "float32"),
            fit_options={"epochs": 1},
        )
