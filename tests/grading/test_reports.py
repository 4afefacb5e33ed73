"""Reports trust nothing: malformed worker data is an error, names are normalised."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.reports import LayerReport, MalformedData, ModelReport, snake_case


def _model_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "class_name": "Sequential",
        "class_chain": ["Sequential", "Model"],
        "config_json": None,
        "layers": [
            {
                "class_name": "Dense",
                "name": "dense",
                "config": {},
                "output_shape": [None, 10],
                "trainable": True,
                "weight_shapes": [[4, 10], [10]],
            }
        ],
        "input_shape": [None, 4],
        "output_shape": [None, 10],
        "weights": [np.zeros((4, 10), "float32"), np.zeros(10, "float32")],
        "weight_names": ["sequential/dense/kernel", "sequential/dense/bias"],
        "weight_trainable": [True, True],
        "compiled": True,
        "compile_config": {
            "optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.01}},
            "loss": "SparseCategoricalCrossentropy",
            "metrics": ["accuracy"],
        },
        "predictions": None,
    }
    data.update(changes)
    return data


def test_model_report_counts_parameters_from_arrays() -> None:
    """Parameter counts come from the weight arrays, not from anything the worker claims."""
    report = ModelReport.from_plain(_model_data())
    assert report.parameter_count == 50
    assert report.output_shape == (None, 10)
    assert report.optimizer_name == "sgd"
    assert report.learning_rate == pytest.approx(0.01)
    assert report.loss_name == "sparse_categorical_crossentropy"
    assert report.metric_names == ("accuracy",)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weights", [np.array(["a"], dtype="U1")]),
        ("weights", [[1.0, 2.0]]),
        ("compiled", 1),
        ("output_shape", [None, "10"]),
        ("weight_trainable", [True]),
        ("weight_names", ["sequential/dense/kernel"]),
        ("weight_names", [1, 2]),
    ],
)
def test_malformed_fields_are_refused(field: str, value: Any) -> None:
    """Wrong types, dtypes or lengths raise MalformedData naming the field."""
    with pytest.raises(MalformedData):
        ModelReport.from_plain(_model_data(**{field: value}))


def test_snake_case_handles_acronyms() -> None:
    """Class names become the names Keras uses in strings."""
    assert snake_case("MeanSquaredError") == "mean_squared_error"
    assert snake_case("SGD") == "sgd"


def test_a_layers_kind_names_a_bidirectional_wrappers_layer() -> None:
    """``kind`` is the class name, with the wrapped layer for a Bidirectional one."""

    def layer(class_name: str, config: dict[str, object] | None) -> LayerReport:
        return LayerReport(class_name, "x", config, None, True, ())

    assert layer("LSTM", {}).kind == "LSTM"
    assert layer("Bidirectional", {"layer": {"class_name": "GRU"}}).kind == "Bidirectional(GRU)"
    assert layer("Bidirectional", None).kind == "Bidirectional(?)"
