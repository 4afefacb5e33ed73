"""Submission.probe checks each request before sending it and each reply before a grader
reads it, against the probe's spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pytest

from course.grading.errors import GraderError, MalformedData, SubmissionError
from course.grading.submission import Submission
from course.sandbox import Outcome, Worker


class ScriptedWorker:
    """A worker that answers every request with ``reply`` and remembers the requests."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.requests: list[tuple[str, Mapping[str, Any]]] = []
        self.integrity: list[str] = []

    def request(self, probe: str, args: Mapping[str, Any], *, seed: int, timeout: float) -> Outcome:
        self.requests.append((probe, args))
        return Outcome(status="ok", value=self.reply)

    def longest_wait(self, timeout: float) -> float:
        return timeout


def _submission(reply: Any) -> tuple[Submission, ScriptedWorker]:
    worker = ScriptedWorker(reply)
    return Submission(cast(Worker, worker)), worker


def test_a_reply_of_the_promised_form_reaches_the_grader() -> None:
    """A well-formed reply is returned as it came."""
    reply = {"stopped_after_epoch": 3, "weights_from_epoch": 1.0}
    submission, worker = _submission(reply)
    assert submission.early_stopping("make", logs=[{"loss": 1.0}]) == reply
    assert worker.requests == [
        ("callback.early_stopping", {"factory": "make", "args": [], "logs": [{"loss": 1.0}]})
    ]


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ({"stopped_after_epoch": 3}, "the reply has no 'weights_from_epoch'"),
        (
            {"stopped_after_epoch": "3", "weights_from_epoch": 1.0},
            "the reply['stopped_after_epoch'] should be an integer, not a str",
        ),
        ([1, 2], "the reply should be a dict, not a list"),
    ],
)
def test_a_malformed_reply_is_the_submissions_failure(reply: Any, problem: str) -> None:
    """A reply without the promised form fails the check as the submission's, saying why,
    before any grader code indexes into it."""
    submission, _ = _submission(reply)
    with pytest.raises(MalformedData) as raised:
        submission.probe(
            "callback.early_stopping", action="make() during training", factory="m", logs=[]
        )
    assert str(raised.value) == (
        f"make() during training returned a reply the grader cannot read: {problem}"
    )
    assert isinstance(raised.value, SubmissionError)


def test_a_typed_method_refuses_a_malformed_model_description() -> None:
    """submission.model() fails cleanly when a weight in the reply is not an array."""
    submission, _ = _submission({"class_name": "Sequential"})
    with pytest.raises(MalformedData, match=r"build_model\(\) returned a reply the grader"):
        submission.model("build_model")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"factory": "make"}, "the probe 'callback.early_stopping' needs logs"),
        ({"factory": "make", "logs": [], "log": []}, "takes no argument log"),
        ({"factory": 3, "logs": []}, "factory should be a str, not a int"),
        (
            {"factory": "make", "logs": [], "args": [{"__call__": {"function": None}}]},
            "args[0]['__call__']['function'] should be a str, not a NoneType",
        ),
    ],
)
def test_a_malformed_request_is_the_graders_error(args: dict[str, Any], problem: str) -> None:
    """A request the probe cannot take is a grader error naming the probe and the argument,
    and nothing is sent to the worker."""
    submission, worker = _submission(None)
    with pytest.raises(GraderError) as raised:
        submission.probe("callback.early_stopping", action="make()", **args)
    assert problem in str(raised.value)
    assert str(raised.value).startswith("the grader's request for make() is malformed: ")
    assert worker.requests == []


def test_an_unknown_probe_is_the_graders_error() -> None:
    """A probe name without a spec is refused before the worker is asked."""
    submission, worker = _submission(None)
    with pytest.raises(GraderError, match=r"no probe named 'model\.bild'"):
        submission.probe("model.bild", action="build_model()", builder="build_model")
    assert worker.requests == []


def test_numpy_scalars_from_a_grader_are_accepted() -> None:
    """Integers and floats drawn with numpy count as numbers in a request."""
    submission, worker = _submission([0.1, 0.05])
    rates = submission.learning_rates(
        "make", epochs=cast(int, np.int64(2)), initial_learning_rate=cast(float, np.float32(0.1))
    )
    assert rates == [0.1, 0.05]
    assert len(worker.requests) == 1
