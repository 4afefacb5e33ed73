"""tf.distribute probes: the grader's strategy reaches the submission, replicas are reported."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from course.grading.errors import GraderError, SubmissionError
from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.probes.distribution import device_name, with_strategy
from course.probes.markers import STRATEGY
from course.sandbox import Worker

SUBMISSION = textwrap.dedent(
    """
    import keras
    import tensorflow as tf


    def one_device():
        return tf.distribute.MirroredStrategy(devices=["/cpu:0"])


    def not_a_strategy():
        return "mirrored"


    def replicas(strategy, extra=0):
        return strategy.num_replicas_in_sync + extra


    def plain_dataset(strategy, x, y):
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(4)


    def split_dataset(strategy, x, y):
        return strategy.experimental_distribute_dataset(plain_dataset(strategy, x, y))


    def model_in_scope(strategy):
        with strategy.scope():
            model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
            model.compile(optimizer="sgd", loss="mse")
        return model


    def model_outside(strategy):
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
        return model


    def losses_per_replica(strategy, model, optimizer, batch, global_batch_size):
        return strategy.run(lambda x, y: tf.reduce_sum(x), args=batch)


    def no_update(strategy, model, optimizer, batch, global_batch_size):
        return tf.constant(1.5)


    def fit_one_epoch(strategy, x, y):
        model = model_in_scope(strategy)
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        return model
    """
)


@pytest.fixture(scope="module")
def submission(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Submission]:
    """The submission above in a worker with two logical CPUs."""
    folder = tmp_path_factory.mktemp("distribution")
    path = folder / "submission.py"
    path.write_text(SUBMISSION)
    with Worker(path, workdir=folder / "worker", logical_cpus=2) as worker:
        yield Submission(worker)


def test_device_names_are_shortened() -> None:
    """Full TensorFlow device names and short ones compare equal once shortened."""
    assert device_name("/job:localhost/replica:0/task:0/device:CPU:1") == "CPU:1"
    assert device_name("/device:GPU:0") == "GPU:0"
    assert device_name("/cpu:0") == "CPU:0"


def test_the_strategy_marker_is_replaced_anywhere_but_inside_arrays() -> None:
    """Markers in lists and dicts become the strategy; arrays and other values stay."""
    array = np.arange(3)
    replaced = with_strategy([1, STRATEGY, {"s": STRATEGY, "a": array}], "S")
    assert replaced[:2] == [1, "S"]
    assert replaced[2]["s"] == "S"
    assert replaced[2]["a"] is array


def test_strategy_probe_reports_replicas_devices_and_the_machine(
    submission: Submission,
) -> None:
    """A one-device MirroredStrategy is described next to the two logical CPUs."""
    value = submission.probe("distribution.strategy", action="t", function="one_device")
    assert value["replicas"] == 1
    assert value["devices"] == ["CPU:0"]
    assert "MirroredStrategy" in value["class_chain"]
    assert value["machine"]["cpus"] == ["CPU:0", "CPU:1"]


def test_strategy_probe_refuses_other_objects(submission: Submission) -> None:
    """A string is not a strategy: the student is told what came back."""
    with pytest.raises(SubmissionError, match=r"not a tf\.distribute strategy"):
        submission.probe("distribution.strategy", action="t", function="not_a_strategy")


def test_call_probe_passes_the_graders_two_replica_strategy(submission: Submission) -> None:
    """The marker arrives as a MirroredStrategy with 2 replicas, by position or keyword."""
    assert (
        submission.probe("distribution.call", action="t", function="replicas", args=[STRATEGY]) == 2
    )
    value = submission.probe(
        "distribution.call",
        action="t",
        function="replicas",
        kwargs={"strategy": STRATEGY, "extra": 1},
    )
    assert value == 3


def test_dataset_probe_gives_each_replicas_part(submission: Submission) -> None:
    """A distributed dataset has one part per replica; a plain one has one part."""
    x = np.arange(16, dtype="float32").reshape(8, 2)
    y = np.arange(8, dtype="int32")
    split = submission.probe(
        "distribution.dataset", action="t", function="split_dataset", args=[STRATEGY, x, y]
    )
    plain = submission.probe(
        "distribution.dataset", action="t", function="plain_dataset", args=[STRATEGY, x, y]
    )
    assert split["distributed"] is True
    assert plain["distributed"] is False
    assert [[part.tolist() for part in step["y"]] for step in split["steps"]] == [
        [[0, 1], [2, 3]],
        [[4, 5], [6, 7]],
    ]
    assert [len(step["y"]) for step in plain["steps"]] == [1, 1]


def test_model_probe_counts_the_copies_of_each_variable(submission: Submission) -> None:
    """Variables made in the scope have 2 copies; made outside, 1."""
    inside = submission.probe(
        "distribution.model", action="t", builder="model_in_scope", args=[STRATEGY]
    )
    outside = submission.probe(
        "distribution.model", action="t", builder="model_outside", args=[STRATEGY]
    )
    assert [v["copies"] for v in inside["variables"]] == [2, 2]
    assert {v["kind"] for v in inside["variables"]} == {"MirroredVariable"}
    assert inside["same_strategy"] is True
    assert [v["copies"] for v in outside["variables"]] == [1, 1]
    assert inside["optimizer"] == "SGD"
    assert inside["optimizer_built"] is False


def test_step_probe_returns_weights_and_flags_per_replica_losses(
    submission: Submission,
) -> None:
    """The weights come back (unchanged here); a loss left per replica is flagged."""
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=s).astype("float32") for s in ((3, 4), (4,), (4, 2), (2,))]
    x = rng.normal(size=(6, 3)).astype("float32")
    y = np.array([0, 1, 0, 1, 1, 0], dtype="int32")
    arguments = {"weights": weights, "x": x, "y": y, "learning_rate": 0.1}
    per_replica = submission.probe(
        "distribution.step", action="t", function="losses_per_replica", **arguments
    )
    constant = submission.probe("distribution.step", action="t", function="no_update", **arguments)
    assert per_replica["loss_kind"] == "per_replica"
    assert per_replica["loss"] is None
    assert constant["loss_kind"] == "value"
    assert float(constant["loss"]) == 1.5
    for received, sent in zip(constant["weights"], weights, strict=True):
        np.testing.assert_array_equal(received, sent)


def test_fit_probe_reports_steps_and_the_trained_model(submission: Submission) -> None:
    """Training 12 examples in batches of 4 is 3 optimizer steps; the trained model comes
    back as config and weights for the grader to rebuild, and predicts nothing itself."""
    x = np.ones((12, 3), dtype="float32")
    y = np.zeros((12, 2), dtype="float32")
    value = submission.probe(
        "distribution.fit", action="t", function="fit_one_epoch", args=[STRATEGY, x, y]
    )
    assert value["iterations"] == 3
    model = ModelReport.from_plain(value["model"])
    assert model.config_json is not None
    assert [w.shape for w in model.weights] == [(3, 2), (2,)]
    assert model.predictions is None
    assert [v["copies"] for v in value["variables"]] == [2, 2]


def test_without_two_logical_cpus_the_grader_is_to_blame(tmp_path: Path) -> None:
    """A worker without the split CPU makes the probes fail as a grader error, not the student's."""
    path = tmp_path / "submission.py"
    path.write_text(SUBMISSION)
    with (
        Worker(path, workdir=tmp_path / "worker") as worker,
        pytest.raises(GraderError, match="logical_cpus"),
    ):
        Submission(worker).probe(
            "distribution.call", action="t", function="replicas", args=[STRATEGY]
        )
