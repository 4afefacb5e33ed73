"""The ``submission`` fixture's object: what graders ask a submission, and its answers.

Each method sends one probe request to the worker and returns validated plain data or a
typed report. Every request is checked against its probe's spec
(:mod:`course.probes.specs`) before it is sent, and every reply after it arrives: a request
the probe cannot take is the grader's bug (:class:`~course.grading.errors.GraderError`), a
reply without the promised form the submission's (:class:`~course.grading.errors.MalformedData`).
When the submission raises, crashes, hangs or returns garbage, the method raises
:class:`~course.grading.errors.SubmissionError` (or ``SubmissionTimeout``) with a message
written for the student; the plugin turns that into the check's status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from course.grading.errors import (
    GraderError,
    IntegrityViolation,
    MalformedData,
    SubmissionCrashed,
    SubmissionError,
    SubmissionOutOfMemory,
    SubmissionTimeout,
)
from course.grading.reports import (
    DatasetReport,
    ModelReport,
    ReturnedDatasets,
    TrainingReport,
    expect,
)
from course.probes.markers import call_spec as call_spec
from course.probes.markers import function_spec as function_spec
from course.probes.markers import model_spec as model_spec
from course.probes.specs import ReplyMismatch, RequestMismatch, spec_for
from course.sandbox import Outcome, Worker

DEFAULT_TIME_LIMIT = 60.0
#: Told about each request before it is sent: the probe's name and the longest it can take.
RequestHook = Callable[[str, float], None]
#: Told when a request has ended, whatever its outcome: the probe's name.
ReplyHook = Callable[[str], None]


class Submission:
    """A student's module, reachable only through probes run in its worker process."""

    def __init__(
        self,
        worker: Worker,
        *,
        seed: int = 0,
        on_request: RequestHook | None = None,
        on_reply: ReplyHook | None = None,
    ) -> None:
        self._worker = worker
        self.seed = seed
        #: Seconds each request may take; the plugin sets it from the check's marker.
        self.time_limit = DEFAULT_TIME_LIMIT
        self._on_request = on_request
        self._on_reply = on_reply

    # -- the general request -------------------------------------------------------------

    def probe(self, name: str, /, *, action: str, **args: Any) -> Any:
        """Run the probe ``name``; ``action`` says what it did, for messages ("build_model()").

        The arguments and the reply are checked against the probe's spec
        (:mod:`course.probes.specs`): the reply has the form the probe documents.
        """
        try:
            spec = spec_for(name)
            spec.check_request(args)
        except (LookupError, RequestMismatch) as error:
            raise GraderError(
                f"the grader's request for {action} is malformed: {error}. This is not your "
                "fault: please report it to the course staff."
            ) from None
        if self._on_request is not None:
            self._on_request(name, self._worker.longest_wait(self.time_limit))
        outcome = self._worker.request(name, args, seed=self.seed, timeout=self.time_limit)
        if self._on_reply is not None:
            self._on_reply(name)
        if self._worker.integrity:
            raise IntegrityViolation(
                f"{action} was not graded: your code tampered with the grading machinery ("
                + "; ".join(self._worker.integrity[:3])
                + "). Every check from then on scores 0, and your instructor is told."
            )
        if outcome.status != "ok":
            raise error_for(outcome, action=action)
        try:
            spec.check_reply(outcome.value)
        except ReplyMismatch as error:
            raise MalformedData(
                f"{action} returned a reply the grader cannot read: {error}"
            ) from None
        return outcome.value

    @property
    def integrity(self) -> tuple[str, ...]:
        """What the submission did to the grading machinery (empty when it played fair)."""
        return tuple(self._worker.integrity)

    # -- inputs ----------------------------------------------------------------------------

    def input_folder(self, name: str) -> tuple[Path, str]:
        """A new folder for files the grader gives the submission (image folders, say):
        ``(where to write them here, the path to pass to the submission)``. The worker sees
        the folder read-only; nothing it writes there reaches this process."""
        folder = self._worker.inputs / name
        folder.mkdir(parents=True, exist_ok=False)
        return folder, self._worker.inside(folder)

    # -- values --------------------------------------------------------------------------

    def call(self, function: str, /, *args: Any, as_tensors: bool = False, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` in the worker; tensors come back as numpy arrays.

        With ``as_tensors``, array arguments are passed as ``tf.Tensor``.
        """
        return self.probe(
            "call",
            action=f"{function}()",
            function=function,
            args=list(args),
            kwargs=kwargs,
            as_tensors=as_tensors,
        )

    # -- models --------------------------------------------------------------------------

    def model(
        self, builder: str, /, *args: Any, predict_inputs: np.ndarray | None = None
    ) -> ModelReport:
        """The model ``builder(*args)`` returns: layers, config, compile settings, weights."""
        value = self.probe(
            "model.build",
            action=f"{builder}()",
            builder=builder,
            args=list(args),
            predict_inputs=predict_inputs,
        )
        return ModelReport.from_plain(value)

    def fit(
        self,
        builder: str,
        /,
        x: np.ndarray,
        y: np.ndarray,
        *,
        args: Sequence[Any] = (),
        predict_inputs: np.ndarray | None = None,
        **fit_options: Any,
    ) -> TrainingReport:
        """Build the submission's compiled model with ``builder(*args)`` and ``fit`` it on
        grader-chosen data."""
        value = self.probe(
            "model.fit",
            action=f"training the model from {builder}()",
            builder=builder,
            x=x,
            y=y,
            fit_options=fit_options,
            args=list(args),
            predict_inputs=predict_inputs,
        )
        return TrainingReport.from_plain(value)

    def train(
        self,
        *,
        builder: str,
        trainer: str,
        x: np.ndarray,
        y: np.ndarray,
        preprocess: str | None = None,
        predict_inputs: np.ndarray | None = None,
    ) -> TrainingReport:
        """Run the submission's own pipeline: ``preprocess(x)``, ``builder()``, ``trainer``."""
        steps = [f"{preprocess}()"] if preprocess else []
        steps += [f"{builder}()", f"{trainer}()"]
        value = self.probe(
            "model.train",
            action=" -> ".join(steps),
            builder=builder,
            trainer=trainer,
            preprocess=preprocess,
            x=x,
            y=y,
            predict_inputs=predict_inputs,
        )
        return TrainingReport.from_plain(value)

    # -- data pipelines ------------------------------------------------------------------

    def dataset(self, function: str, /, *args: Any, **kwargs: Any) -> DatasetReport:
        """Describe the ``tf.data.Dataset`` that ``function(*args, **kwargs)`` returns."""
        value = self.probe(
            "dataset.describe",
            action=f"{function}()",
            function=function,
            args=list(args),
            kwargs=kwargs,
        )
        return DatasetReport.from_plain(value)

    def image_datasets(
        self, function: str, /, *args: Any, max_feature_values: int, **kwargs: Any
    ) -> ReturnedDatasets:
        """Read every ``tf.data.Dataset`` that ``function(*args, **kwargs)`` returns (one,
        or a tuple or list of them) to the end: batch sizes, labels, and the images while
        they hold at most ``max_feature_values`` values in all."""
        value = self.probe(
            "images.datasets",
            action=f"{function}()",
            function=function,
            args=list(args),
            kwargs=kwargs,
            max_feature_values=max_feature_values,
        )
        return ReturnedDatasets.from_plain(value)

    # -- callbacks -----------------------------------------------------------------------

    def callback_settings(self, factory: str, /, *args: Any) -> dict[str, Any]:
        """The class chain and Keras settings (monitor, patience, ...) of a callback."""
        value = expect(
            self.probe(
                "callback.describe", action=f"{factory}()", factory=factory, args=list(args)
            ),
            dict,
            what="the callback description",
        )
        return value  # type: ignore[no-any-return]

    def callback_decisions(
        self, factory: str, /, *args: Any, logs: Sequence[Mapping[str, float]]
    ) -> list[dict[str, Any]]:
        """For each ``logs`` dict: did a fresh callback set ``stop_training`` at epoch end?"""
        value = self.probe(
            "callback.decisions",
            action=f"{factory}(...) or its on_epoch_end",
            factory=factory,
            args=list(args),
            logs=[dict(entry) for entry in logs],
        )
        return expect(value, list, what="the callback decisions")  # type: ignore[no-any-return]

    def early_stopping(
        self, factory: str, /, *args: Any, logs: Sequence[Mapping[str, float]]
    ) -> dict[str, Any]:
        """Drive a callback through ``logs``; see :func:`course.probes.callbacks.early_stopping`."""
        value = self.probe(
            "callback.early_stopping",
            action=f"{factory}() during training",
            factory=factory,
            args=list(args),
            logs=[dict(entry) for entry in logs],
        )
        return expect(value, dict, what="the early-stopping trace")  # type: ignore[no-any-return]

    def learning_rates(
        self, factory: str, /, *args: Any, epochs: int, initial_learning_rate: float
    ) -> list[float]:
        """The learning rate the callback sets at the start of each of ``epochs`` epochs."""
        value = self.probe(
            "callback.learning_rates",
            action=f"{factory}() at the start of each epoch",
            factory=factory,
            args=list(args),
            epochs=epochs,
            initial_learning_rate=initial_learning_rate,
        )
        rates = expect(value, list, what="the learning rates")
        return [float(expect(rate, (int, float), what="a learning rate")) for rate in rates]

    def fit_with_callback(
        self,
        factory: str,
        /,
        *args: Any,
        model_json: str,
        compile_options: Mapping[str, Any],
        x: np.ndarray,
        y: np.ndarray,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        record_weights: bool = False,
        reload_path: str | None = None,
        **fit_options: Any,
    ) -> dict[str, Any]:
        """Train a grader-chosen model with the submission's callback."""
        value = self.probe(
            "callback.fit",
            action=f"model.fit with the callback from {factory}()",
            factory=factory,
            args=list(args),
            model_json=model_json,
            compile_options=dict(compile_options),
            x=x,
            y=y,
            fit_options=fit_options,
            validation=list(validation) if validation is not None else None,
            record_weights=record_weights,
            reload_path=reload_path,
        )
        return expect(value, dict, what="the training report")  # type: ignore[no-any-return]


_HINTS = {
    "not_implemented": "replace the `raise NotImplementedError(...)` line with your solution.",
    "timeout": (
        "look for an infinite loop, or training that takes too long (fewer epochs, a smaller "
        "model or a larger batch size)."
    ),
    "exited": (
        "do not call exit(), sys.exit() or os._exit(), and do not run long jobs at import time."
    ),
    "out_of_memory": (
        "train on smaller batches, keep fewer copies of the data, or use a smaller model."
    ),
    "crashed": (
        "a crash inside TensorFlow or numpy usually comes from inputs of the wrong shape or "
        "dtype; run the function yourself on small inputs to see it."
    ),
}


def error_for(outcome: Outcome, *, action: str) -> SubmissionError:
    """The student-facing exception for a request that did not return a value."""
    where = "importing your module" if outcome.during_import else action
    if outcome.status == "unavailable":
        raise GraderError(
            f"the sandbox could not run the submission: {outcome.detail}. This is not your "
            "fault: please report it to the course staff."
        )
    if outcome.status == "timeout":
        return SubmissionTimeout(f"{where} {outcome.detail}. Hint: {_HINTS['timeout']}")
    if outcome.status == "out_of_memory":
        text = f"your code {outcome.detail} during {where}. Hint: {_HINTS['out_of_memory']}"
        return SubmissionOutOfMemory(_with_output(text, outcome.output_tail))
    if outcome.status == "crashed":
        text = (
            f"the process running your code {outcome.detail} during {where}. Hint: "
            + _HINTS["crashed"]
        )
        return SubmissionCrashed(_with_output(text, outcome.output_tail))
    if outcome.status == "limit":
        return SubmissionError(_with_output(f"your code {outcome.detail} during {where}", ""))
    if outcome.status == "exited":
        text = f"your code {outcome.detail} during {where}. Hint: {_HINTS['exited']}"
        return SubmissionError(_with_output(text, outcome.output_tail))
    if outcome.status == "broken":
        return SubmissionError(f"the process running your code {outcome.detail} during {where}")
    error = outcome.error
    kind, name, message = error["kind"], error["type"], error["message"]
    if kind == "internal":
        raise GraderError(f"the worker rejected a grader request: {message}")
    if kind in ("missing", "invalid_return", "contract"):
        text = message
    elif kind == "not_implemented":
        text = f"{where} raised NotImplementedError: {message}. Hint: {_HINTS[kind]}"
    elif kind == "syntax":
        text = f"your module has a syntax error: {message}"
    else:
        text = f"{where} raised {name}: {message}"
    if error["traceback"] and kind != "not_implemented":
        text += "\nWhere it happened in your code:\n" + error["traceback"].rstrip()
    return SubmissionError(text)


def _with_output(text: str, output: str) -> str:
    if not output:
        return text
    tail = "\n".join(output.splitlines()[-5:])
    return f"{text}\nLast lines your code printed:\n{tail}"
