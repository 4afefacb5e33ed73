"""A class of week 2 graded three ways: ``course autograde``, ``nbgrader autograde``, and plainly.

Generates ``--students`` submissions of week 2 (Fashion-MNIST; 40 by default), the same on
every run: correct variants (the reference and ``tests/right_answers/``), wrong answers
(``tests/wrong_answers/``), partial ones (the stub, and the stub with exercises 2.1, 2.1-2.2
or 2.1-2.3 done), broken ones (a syntax error; a module whose import fails, at
``import tensorflow_addons``) and duplicates (another student's file, byte for byte). Every
other student's file ends with a comment naming them, so only the duplicates are identical.
Then, on this machine, one after the other:

* (c) the compute floor: for each distinct file, in a plain Python process of its own, what
  the graders ask of the student's code to train and evaluate: import it, then
  ``normalize_images`` on the 60,000 training images, ``build_model``, ``train_model``, and
  predicting the 10,000 test images (the checks' small calls, on a few thousand generated
  examples, are left out); one file at a time;
* (a) ``course autograde 2 --jobs N`` on a course directory made by ``course init`` and
  ``course release``, the submissions laid in ``submitted/`` as ``course collect`` leaves them:
  the week's canary (the reference solution) and then each distinct file once, each in its
  sandbox;
* (b) ``nbgrader autograde`` on nbgrader's own course folder: one notebook per student, the
  student's code in its one answer cell, then one autograded cell (``### BEGIN HIDDEN TESTS``)
  per check of the week-2 graders, with the same points;
* the same batch as (a) on a Dask cluster of one worker, then of two (``--no-dask`` skips):
  ``dask scheduler`` and ``dask worker ADDRESS --nthreads 1`` processes started here, the
  workers waited for, then ``course autograde 2 --scheduler ADDRESS --force`` timed (its
  canary is graded here, without a warm template, before the tasks go out).

It prints each run's wall seconds, seconds per student, what it adds per student to the
floor, its ratio to (c) and (b)'s ratio to it, and the agreement of (a) and (b): students
whose scores differ by more than 1 point are listed with the checks they differ on.
Targets: (a) at most 1.1 times (c), and at least 1.8 times faster than (b).

The hidden tests of (b), check by check against the graders (``graders/week02_*``):

* equivalent, with the same points, ranges and thresholds: every check of parts 1-3 and both
  of part 4. They call the same functions with inputs drawn the same way; read a
  ``tf.data`` pipeline as the course's worker does (the first batch, every batch's size and
  label, at most 1,000 batches of an infinite one, the chain of ``_input_dataset``); judge
  the loss and metrics from ``model.get_compile_config()`` with the same names and the same
  ``from_logits`` rule; predict on a model rebuilt from its JSON config and weights
  (``keras.models.model_from_json``, whose safe mode refuses a Lambda layer, as the course's
  rebuild does); and train once with ``normalize_images``, ``build_model``, ``train_model``
  on the 60,000 training images before the History and accuracy (0.85 on the test images
  divided by 255) checks. A cell's time limit is 120 s, the training checks' limit.
* where they differ: the inputs (generated images, dataset sizes, batch size) come from one
  fixed seed for every notebook, and training from ``keras.utils.set_random_seed(0)``, where
  the course draws both from a seed per file (the course's secret and the file's digest), so
  a submission near the accuracy threshold may pass in one and fail in the other. The
  student's code runs in the kernel that runs the tests (the course runs it in a sandboxed
  worker and judges predictions of a model it rebuilt itself from an allow-list of layers):
  a notebook can tamper with its own tests, and a model of registered custom classes
  rebuilds in (b) but not in (a). A notebook's answer cell runs up to its first error, so
  a module that fails after defining its functions keeps the points of those functions in
  (b) and scores 0 in (a) (the import-error variant here fails at its imports, before any
  definition). nbgrader grades every notebook, duplicates included; the course grades each
  distinct file once. nbgrader gives no points to a cell that writes to stderr, and Keras
  warns on ``fit`` (``shuffle=True`` ignored for a dataset): the hidden cells silence Python
  warnings, which the course's checks never see. Failure messages are not compared.

Usage: python benchmarks/nbgrader_comparison.py [--students N] [--jobs N] [--no-dask] [--keep]
                                               [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from course.classroom import workflow
from course.classroom.settings import CourseSettings
from course.config import Layout, Week
from course.nbgrader import gradebook
from course.nbgrader.timestamps import write_timestamp

ROOT = Path(__file__).resolve().parent.parent
WEEK = "week02_fashion_mnist"
COURSE_ID = "nbcmp"
#: One period of the class, repeated: each student's kind, and for a duplicate how many
#: places back the student whose file it copies sits (a correct, a wrong, a partial one).
PATTERN: tuple[tuple[str, int], ...] = (
    ("correct", 0),
    ("wrong", 0),
    ("partial", 0),
    ("broken", 0),
    ("duplicate", 4),
    ("correct", 0),
    ("wrong", 0),
    ("correct", 0),
    ("partial", 0),
    ("wrong", 0),
    ("correct", 0),
    ("duplicate", 2),
    ("correct", 0),
    ("wrong", 0),
    ("broken", 0),
    ("correct", 0),
    ("partial", 0),
    ("wrong", 0),
    ("correct", 0),
    ("duplicate", 3),
)
_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION\n", re.M)
_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n[ \t]*### END SOLUTION", re.S)
_STUB_BODY = '    # YOUR CODE HERE\n    raise NotImplementedError("Write your solution here")'


@dataclass(frozen=True)
class Student:
    """One generated submission: who, what kind (correct, wrong, partial, broken,
    duplicate), which variant of that kind, and the file's text."""

    name: str
    kind: str
    variant: str
    text: str


def variants(week: Week) -> dict[str, list[tuple[str, str]]]:
    """The distinct files of each kind, as ``(variant, text)``, before any student's name."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tests.test_wrong_answers reads the answer files
    from tests.test_wrong_answers import changed_solution, declared_week

    solution = week.solution.read_text(encoding="utf-8")
    reference = _MARKER.sub("", solution)

    def answers(folder: str) -> list[tuple[str, str]]:
        paths = sorted((ROOT / "tests" / folder).glob("week*.py"))
        return [
            (path.stem.removeprefix("week02_"), changed_solution(path, week.solution))
            for path in paths
            if declared_week(path) == week.stem
        ]

    stub = week.assignment.read_text(encoding="utf-8")
    bodies = _REGION.findall(solution)
    assert len(bodies) == stub.count(_STUB_BODY) == 4, "the stub no longer mirrors the solution"
    partial = [("stub", stub)]
    for done in range(1, 4):
        text = stub
        for body in bodies[:done]:
            text = text.replace(_STUB_BODY, body, 1)
        partial.append((f"exercises 2.1-2.{done} done" if done > 1 else "exercise 2.1 done", text))
    unclosed = reference.replace(
        "    return model.fit(dataset, epochs=5, verbose=2)\n",
        "    return model.fit(dataset, epochs=5, verbose=2\n",
    )
    missing = reference.replace(
        "import tensorflow as tf\n", "import tensorflow as tf\nimport tensorflow_addons as tfa\n"
    )
    assert unclosed != reference, "the solution's last line moved"
    assert missing != reference, "the solution's imports moved"
    return {
        "correct": [("reference", reference), *answers("right_answers")],
        "wrong": answers("wrong_answers"),
        "partial": partial,
        "broken": [("syntax error", unclosed), ("import error", missing)],
    }


def class_roster(week: Week, count: int) -> list[Student]:
    """``count`` students, the same on every call: :data:`PATTERN` repeated, each kind's
    variants taken in turn."""
    files = variants(week)
    used: Counter[str] = Counter()
    roster: list[Student] = []
    for index in range(count):
        name = f"student{index:03d}"
        kind, back = PATTERN[index % len(PATTERN)]
        if kind == "duplicate":
            source = roster[index - back]
            roster.append(Student(name, kind, f"copy of {source.name}", source.text))
            continue
        variant, text = files[kind][used[kind] % len(files[kind])]
        used[kind] += 1
        roster.append(Student(name, kind, variant, text + f"\n# Submitted by {name}.\n"))
    return roster


def distinct(roster: list[Student]) -> list[Student]:
    """The first student of each distinct file, in roster order."""
    seen: dict[str, Student] = {}
    for student in roster:
        seen.setdefault(student.text, student)
    return list(seen.values())


# The hidden tests of (b), one notebook cell each, in the graders' order. The first cell of
# each part defines what that part's checks share; its definitions cannot fail.
_NORMALIZE_SETUP = """\
import warnings

warnings.simplefilter("ignore")  # nbgrader fails a cell that writes to stderr
import numpy as np

_rng = np.random.default_rng(2021)
_full = _rng.integers(0, 256, size=(int(_rng.integers(2, 7)), 28, 28), dtype=np.uint8)
_image = int(_rng.integers(len(_full)))
_darkest, _brightest = _rng.choice(28 * 28, size=2, replace=False)
_full[_image].reshape(-1)[[_darkest, _brightest]] = 0, 255
_low, _high = int(_rng.integers(5, 31)), int(_rng.integers(150, 231))
_dim = _rng.integers(_low, _high + 1, size=(int(_rng.integers(3, 9)), 28, 28), dtype=np.uint8)
PIXELS = [_full, _dim]


def normalized(batch):
    received = np.asarray(normalize_images(batch))
    assert received.shape == batch.shape, f"normalize_images gave shape {received.shape}"
    assert received.dtype.kind in "biuf", f"normalize_images gave {received.dtype}"
    return received


"""
_DATASET_SETUP = """\
import numpy as np
import tensorflow as tf

_rng = np.random.default_rng(2022)
ORDERED_BATCH = int(_rng.integers(40, 101))
_count = int(_rng.integers(2_100, 3_001))
while _count % 32 == 0 or _count % ORDERED_BATCH == 0:
    _count += 1
EXAMPLES = _rng.random((_count, 28, 28), dtype=np.float32)
POSITIONS = np.arange(_count, dtype=np.int64)
_read = {}


def read_dataset(shuffled):
    \"\"\"make_dataset's dataset, read once as the course's worker reads it.\"\"\"
    if shuffled not in _read:
        if shuffled:
            dataset = make_dataset(EXAMPLES, POSITIONS)
        else:
            dataset = make_dataset(EXAMPLES, POSITIONS, batch_size=ORDERED_BATCH, shuffle=False)
        assert isinstance(dataset, tf.data.Dataset), f"make_dataset gave {type(dataset)}"
        cardinality = int(dataset.cardinality().numpy())
        limit = 1_000 if cardinality == tf.data.INFINITE_CARDINALITY else None
        first, sizes, labels = None, [], []
        for index, element in enumerate(dataset):
            if limit is not None and index >= limit:
                break
            parts = element if isinstance(element, tuple | list) else (element,)
            if index == 0:
                first = [np.asarray(part) for part in parts]
            features = tf.nest.flatten(parts[0])
            sizes.append(int(features[0].shape[0]) if features and features[0].shape.rank else 1)
            if len(parts) == 2 and isinstance(parts[1], tf.Tensor):
                labels.append(np.atleast_1d(parts[1].numpy()))
        steps, node = [], dataset
        while node is not None and len(steps) < 100:
            steps.append(type(node).__name__.lstrip("_"))
            node = getattr(node, "_input_dataset", None)
        _read[shuffled] = {
            "spec": dataset.element_spec,
            "finite": cardinality != tf.data.INFINITE_CARDINALITY,
            "first": first,
            "sizes": sizes,
            "labels": np.concatenate(labels) if labels else None,
            "steps": steps,
        }
    return _read[shuffled]


def pair_spec(read):
    spec = read["spec"]
    assert isinstance(spec, tuple | list) and len(spec) == 2, f"elements {spec}, not pairs"
    assert all(isinstance(part, tf.TensorSpec) for part in spec), f"elements {spec}"
    return spec


def labels_of(read):
    pair_spec(read)
    labels = read["labels"]
    assert labels is not None and labels.dtype.kind in "iu" and labels.ndim == 1, "no labels"
    return labels


"""
_MODEL_SETUP = """\
import json
import re

import keras
import numpy as np

_rng = np.random.default_rng(2023)
SAMPLE = _rng.random((int(_rng.integers(16, 65)), 28, 28), dtype=np.float32)
_built = {}


def built_model():
    if "model" not in _built:
        model = build_model()
        assert isinstance(model, keras.Model), f"build_model gave {type(model).__name__}"
        _built["model"] = model
    return _built["model"]


def rebuilt(model):
    \"\"\"The model rebuilt from its config and weights (safe mode: no Lambda layer).\"\"\"
    config = json.loads(model.to_json())
    config.pop("compile_config", None)
    copy = keras.models.model_from_json(json.dumps(config))
    copy.set_weights(model.get_weights())
    return copy


def shaped_for(model, images):
    try:
        shape = tuple(model.input_shape)
    except Exception:
        return images
    if any(d is None for d in shape[1:]) or int(np.prod(shape[1:])) != 28 * 28:
        return images
    return images.reshape((len(images), *shape[1:]))


def predict(model, images):
    copy = rebuilt(model)
    return np.asarray(copy.predict(shaped_for(model, images), batch_size=1_000, verbose=0))


def shapes(model):
    try:
        return tuple(model.input_shape), tuple(model.output_shape)
    except Exception:
        predictions = predict(model, SAMPLE)
        return (None, *SAMPLE.shape[1:]), (None, *predictions.shape[1:])


def compile_config(model):
    assert model.compiled, "the model is not compiled"
    return json.loads(json.dumps(model.get_compile_config(), default=str))


def object_name(value):
    snake = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
    if isinstance(value, str):
        return snake.sub("_", value).lower() if value[:1].isupper() else value
    if isinstance(value, dict):
        name = value.get("class_name")
        name = value.get("config") if name == "function" else name
        return snake.sub("_", name).lower() if isinstance(name, str) else None
    return None


def output_activation(model):
    if not model.layers:
        return None
    layer = model.layers[-1]
    if type(layer).__name__ in ("ReLU", "Softmax"):
        return type(layer).__name__.lower()
    config = layer.get_config()
    if type(layer).__name__ != "Activation" and "activation" not in config:
        return None
    activation = config.get("activation")
    if isinstance(activation, dict):
        activation = activation.get("config", {}).get("name") or activation.get("class_name")
    return "linear" if activation is None else str(activation)


def class_names(metrics):
    if isinstance(metrics, dict) and "class_name" in metrics:
        return {str(metrics["class_name"])}
    if isinstance(metrics, dict):
        return {name for group in metrics.values() for name in class_names(group)}
    if isinstance(metrics, list):
        return {name for item in metrics for name in class_names(item)}
    return set()


"""
_TRAINING_SETUP = """\
import warnings

warnings.simplefilter("ignore")  # nbgrader fails a cell that writes to stderr
import keras
import numpy as np

from course.datasets import fashion_mnist

(TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS) = fashion_mnist()
keras.utils.set_random_seed(0)


"""
_CHECKS: tuple[tuple[str, int, str, str], ...] = (
    (
        "test_normalize_range",
        1,
        _NORMALIZE_SETUP,
        """\
for _batch in PIXELS:
    _values = normalized(_batch)
    assert _values.min() >= 0.0 and _values.max() <= 1.0, "values outside [0, 1]"
""",
    ),
    (
        "test_normalize_dtype",
        1,
        "",
        """\
_values = np.asarray(normalize_images(PIXELS[0]))
assert _values.dtype == np.float32, f"normalize_images gave {_values.dtype}"
""",
    ),
    (
        "test_normalize_values",
        2,
        "",
        """\
for _batch in PIXELS:
    _values = normalized(_batch)
    assert np.isclose(_values, _batch / 255.0, rtol=0.0, atol=1e-6).all(), "not pixels / 255"
""",
    ),
    (
        "test_dataset_element_spec",
        1,
        _DATASET_SETUP,
        """\
_images, _labels = pair_spec(read_dataset(True))
assert _images.shape.rank == 3 and _images.shape.as_list()[1:] == [28, 28], f"{_images}"
assert _images.dtype == tf.float32, f"images {_images}"
assert _labels.shape.rank == 1 and _labels.dtype.is_integer, f"labels {_labels}"
""",
    ),
    (
        "test_dataset_batch_sizes",
        1,
        "",
        """\
for _shuffled, _size in ((True, 32), (False, ORDERED_BATCH)):
    _one = read_dataset(_shuffled)
    assert _one["finite"], "an infinite dataset"
    _images, _ = pair_spec(_one)
    assert _images.shape.rank is not None and _images.shape.rank >= 3, "not batches"
    _total = len(POSITIONS)
    _expected = [_size] * (_total // _size) + [_total % _size] * bool(_total % _size)
    assert _one["sizes"] == _expected, f"batches of {_one['sizes'][:3]}..."
""",
    ),
    (
        "test_dataset_every_example_once",
        2,
        "",
        """\
_one = read_dataset(True)
assert _one["finite"], "an infinite dataset"
_labels = labels_of(_one)
_total = len(POSITIONS)
_counts = np.bincount(_labels[(_labels >= 0) & (_labels < _total)], minlength=_total)
assert len(_labels) == _total and np.all(_counts == 1), "not every example exactly once"
_images, _first = _one["first"][0], np.atleast_1d(_one["first"][-1])
assert _images.dtype.kind == "f" and _images.size == _first.size * 28 * 28, "first batch"
assert np.allclose(_images.reshape(-1, 28, 28), EXAMPLES[_first]), "images apart from labels"
""",
    ),
    (
        "test_dataset_shuffles",
        1,
        "",
        """\
_one = read_dataset(True)
_labels = labels_of(_one)
assert not (len(_labels) == len(POSITIONS) and np.array_equal(_labels, POSITIONS)), "in order"
_first = _labels[: _one["sizes"][0] if _one["sizes"] else 0]
assert not (len(_first) and int(_first.max()) < len(POSITIONS) // 2), "a small buffer"
""",
    ),
    (
        "test_dataset_keeps_order",
        1,
        "",
        """\
_labels = labels_of(read_dataset(False))
_total = min(len(_labels), len(POSITIONS))
assert _total > 0 and np.array_equal(_labels[:_total], POSITIONS[:_total]), "order not kept"
""",
    ),
    (
        "test_dataset_prefetches",
        1,
        "",
        """\
for _shuffled in (True, False):
    assert "PrefetchDataset" in read_dataset(_shuffled)["steps"], "no prefetch step"
""",
    ),
    (
        "test_input_shape",
        1,
        _MODEL_SETUP,
        """\
assert shapes(built_model())[0] == (None, 28, 28), f"input shape {shapes(built_model())[0]}"
""",
    ),
    (
        "test_output_shape",
        1,
        "",
        """\
assert shapes(built_model())[1] == (None, 10), f"output shape {shapes(built_model())[1]}"
""",
    ),
    (
        "test_softmax_outputs",
        1,
        "",
        """\
_predictions = predict(built_model(), SAMPLE)
assert _predictions.ndim == 2 and _predictions.shape[0] == len(SAMPLE), "one row per image"
assert np.all(_predictions >= 0), "negative outputs"
assert np.allclose(_predictions.sum(axis=1), 1.0, atol=1e-3), "rows that do not sum to 1"
""",
    ),
    (
        "test_loss",
        1,
        "",
        """\
_loss = compile_config(built_model()).get("loss")
assert object_name(_loss) == "sparse_categorical_crossentropy", f"loss {_loss}"
_loss_config = _loss.get("config") if isinstance(_loss, dict) else None
_from_logits = _loss_config.get("from_logits") if isinstance(_loss_config, dict) else None
_squashed = output_activation(built_model()) in ("softmax", "sigmoid")
assert not (_from_logits is True and _squashed), "from_logits=True on probabilities"
""",
    ),
    (
        "test_accuracy_metric",
        1,
        "",
        """\
_metrics = compile_config(built_model()).get("metrics") or []
assert "Accuracy" not in class_names(_metrics), "keras.metrics.Accuracy()"
if isinstance(_metrics, dict):
    _metrics = [metric for group in _metrics.values() for metric in (group or [])]
_names = {object_name(metric) for metric in _metrics if not isinstance(metric, list)}
assert _names & {"accuracy", "acc", "sparse_categorical_accuracy"}, f"metrics {_names}"
""",
    ),
    (
        "test_parameter_budget",
        1,
        "",
        """\
_parameters = sum(int(np.prod(weight.shape)) for weight in built_model().get_weights())
assert _parameters <= 250_000, f"{_parameters:,} parameters"
""",
    ),
    (
        "test_train_returns_history",
        1,
        _TRAINING_SETUP,
        """\
_inputs = normalize_images(TRAIN_IMAGES)
_model = build_model()
assert isinstance(_model, keras.Model), f"build_model gave {type(_model).__name__}"
_history = train_model(_model, _inputs, TRAIN_LABELS)
TRAINED = _model
assert isinstance(_history, keras.callbacks.History), f"train_model gave {type(_history)}"
assert 1 <= len(_history.epoch) <= 5, f"{len(_history.epoch)} epochs"
""",
    ),
    (
        "test_test_accuracy",
        4,
        "",
        """\
_predictions = predict(TRAINED, TEST_IMAGES / np.float32(255.0))
assert _predictions.ndim == 2 and _predictions.shape[0] == len(TEST_LABELS), "one row each"
_accuracy = float(np.mean(np.argmax(_predictions, axis=1) == TEST_LABELS))
print(f"accuracy on the test images: {_accuracy:.4f}")
assert _accuracy >= 0.85, f"accuracy {_accuracy:.4f}, needed 0.85"
""",
    ),
)


@dataclass(frozen=True)
class HiddenTest:
    """One autograded cell of (b): the grader check it stands for, its points, its code."""

    check: str
    points: int
    code: str


HIDDEN_TESTS = tuple(
    HiddenTest(check, points, setup + body) for check, points, setup, body in _CHECKS
)


@dataclass
class Run:
    """One way of grading the class: its wall seconds and the scores it gave."""

    label: str
    seconds: float
    #: student -> total points; an empty dict for the compute floor.
    scores: dict[str, float] = field(default_factory=dict)
    #: student -> check -> points.
    checks: dict[str, dict[str, float]] = field(default_factory=dict)
    #: The load averages (1, 5 and 15 minutes) as it started and as it ended.
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    note: str = ""


def run_command(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    show: Callable[[str], str | None] = lambda line: line,
) -> tuple[float, int, str]:
    """Run ``argv``, printing each line of its output that ``show`` keeps (as it returns
    it); its wall seconds, exit status and whole output."""
    begin = time.monotonic()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        shown = show(line.rstrip())
        if shown:
            print(f"    {shown}", flush=True)
    status = process.wait()
    return time.monotonic() - begin, status, "".join(lines)


def environment() -> dict[str, str]:
    return dict(os.environ, COURSE_ROOT=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")


def command(name: str, module: str) -> list[str]:
    """The installed command ``name``, else ``python -m module``."""
    found = Path(sys.executable).with_name(name)
    return [str(found)] if found.is_file() else [sys.executable, "-m", module]


_FLOOR = """\
import importlib.util, json, sys, time
began = time.monotonic()
try:
    spec = importlib.util.spec_from_file_location("submission", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import keras, numpy as np
    from course.datasets import fashion_mnist
    (x_train, y_train), (x_test, y_test) = fashion_mnist()
    keras.utils.set_random_seed(0)
    x = module.normalize_images(x_train)
    model = module.build_model()
    module.train_model(model, x, y_train)
    scores = model.predict(x_test / np.float32(255.0), batch_size=1_000, verbose=0)
    result = {"accuracy": float(np.mean(np.argmax(scores, axis=1) == y_test))}
except BaseException as error:
    first = (str(error).strip().splitlines() or [""])[0]
    result = {"error": f"{type(error).__name__}: {first[:120]}"}
print("FLOOR " + json.dumps({**result, "seconds": time.monotonic() - began}))
"""


def compute_floor(roster: list[Student], scratch: Path) -> Run:
    """(c): each distinct file trained and evaluated once, plainly, one process each."""
    files = distinct(roster)
    folder = scratch / "floor"
    folder.mkdir()
    total = 0.0
    for number, student in enumerate(files, start=1):
        path = folder / student.name / f"{WEEK}.py"
        path.parent.mkdir()
        path.write_text(student.text, encoding="utf-8")
        seconds, _, output = run_command(
            [sys.executable, "-c", _FLOOR, str(path)],
            cwd=folder,
            env=environment(),
            show=lambda line: None,
        )
        total += seconds
        found = [line for line in output.splitlines() if line.startswith("FLOOR ")]
        result = json.loads(found[-1].removeprefix("FLOOR ")) if found else {"error": "no result"}
        outcome = f"accuracy {result['accuracy']:.4f}" if "accuracy" in result else result["error"]
        print(
            f"  (c) [{number}/{len(files)}] {student.name} ({student.kind}: {student.variant}): "
            f"{seconds:.1f} s, {outcome}",
            flush=True,
        )
    print(f"  (c) compute floor: {total:.1f} s", flush=True)
    return Run("(c) compute floor", total, load=os.getloadavg(), note=f"{len(files)} files")


def course_directory(roster: list[Student], week: Week, scratch: Path) -> CourseSettings:
    """A course made by ``course init`` and ``course release``, every student's file in
    ``submitted/`` with its timestamp, as ``course collect`` leaves them."""
    settings = workflow.init(
        root=scratch / "course",
        course_id=COURSE_ID,
        database="sqlite:///gradebook.db",
        exchange=str(scratch / "exchange"),
    )
    workflow.release(settings=settings, week=week)
    now = dt.datetime.now(dt.UTC)
    for student in roster:
        folder = settings.root / "submitted" / student.name / week.stem
        folder.mkdir(parents=True)
        (folder / f"{week.stem}.py").write_text(student.text, encoding="utf-8")
        write_timestamp(folder, now)
    return settings


def _course_scores(
    settings: CourseSettings, week: Week
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    rows = gradebook.stored_grades(settings.database_url, settings.course_id, week.stem)
    scores = {row.student: row.raw_score for row in rows}
    checks = {
        row.student: {name.split("::")[-1]: score for name, score in row.scores.items()}
        for row in rows
    }
    return scores, checks


def _batch_line(line: str) -> str | None:
    return line if line.startswith(("[", "week", "Grading")) or "FAILED" in line else None


def grade_with_course(settings: CourseSettings, week: Week, *, label: str, extra: list[str]) -> Run:
    """``course autograde`` on the course directory, timed from start to exit."""
    argv = [*command("course", "course.cli"), "autograde", str(week.number), *extra]
    print(f"  {label}: course autograde {week.number} {' '.join(extra)}", flush=True)
    argv += ["--course-dir", str(settings.root)]
    seconds, status, output = run_command(argv, cwd=ROOT, env=environment(), show=_batch_line)
    if status not in (0, 1):
        raise RuntimeError(f"course autograde exited with {status}:\n{output[-3000:]}")
    scores, checks = _course_scores(settings, week)
    print(f"  {label}: {seconds:.1f} s", flush=True)
    return Run(label, seconds, scores, checks, load=os.getloadavg())


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int) -> Iterator[str]:
    """``dask scheduler`` and ``workers`` single-thread ``dask worker`` processes, each
    with this course installed (``COURSE_ROOT``); yields the scheduler's address once every
    worker has joined."""
    from distributed import Client

    folder.mkdir(parents=True)
    env = environment()
    log = (folder / "cluster.log").open("w", encoding="utf-8")
    dask = command("dask", "dask")
    addresses = folder / "scheduler.json"
    scheduler = [*dask, "scheduler", "--scheduler-file", str(addresses), "--port", "0"]
    processes = [
        subprocess.Popen(
            [*scheduler, "--no-dashboard"], cwd=folder, env=env, stdout=log, stderr=log
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not addresses.is_file() or not addresses.read_text().strip():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Dask scheduler did not start: see {log.name}")
            time.sleep(0.2)
        address = str(json.loads(addresses.read_text())["address"])
        for number in range(workers):
            place = folder / f"worker-{number}"
            place.mkdir()
            argv = [*dask, "worker", address, "--nthreads", "1", "--name", f"worker-{number}"]
            argv += ["--no-dashboard", "--local-directory", str(place)]
            processes.append(subprocess.Popen(argv, cwd=place, env=env, stdout=log, stderr=log))
        with Client(address, timeout=30) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def _cell(
    source: str, nbgrader: dict[str, Any] | None = None, kind: str = "code"
) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": (nbgrader or {}).get("grade_id", "intro").replace("_", "-"),
        "metadata": {"nbgrader": {**nbgrader, "schema_version": 3}} if nbgrader else {},
        "source": source,
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def source_notebook(week: Week) -> dict[str, Any]:
    """nbgrader's source notebook: an answer cell holding the reference solution (its
    ``### BEGIN SOLUTION`` regions), then one hidden autograded cell per check."""
    cells = [
        _cell(f"# {week.title}\n\nWrite your module in the next cell.", kind="markdown"),
        _cell(
            week.solution.read_text(encoding="utf-8"),
            {"grade": False, "solution": True, "locked": False, "grade_id": "answer"},
        ),
    ]
    for test in HIDDEN_TESTS:
        code = f"### BEGIN HIDDEN TESTS\n{test.code.rstrip()}\n### END HIDDEN TESTS"
        cells.append(
            _cell(
                code,
                {
                    "grade": True,
                    "solution": False,
                    "locked": True,
                    "points": test.points,
                    "grade_id": test.check,
                },
            )
        )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def nbgrader_course(roster: list[Student], week: Week, scratch: Path) -> Path:
    """nbgrader's own course folder: config, gradebook, the source notebook turned into the
    release by ``nbgrader generate_assignment``, and each student's notebook (the release,
    their code in its answer cell) in ``submitted/``."""
    root = scratch / "nbgrader"
    (root / "source" / week.stem).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        textwrap.dedent(
            f"""\
            c = get_config()  # noqa: F821
            c.CourseDirectory.root = {str(root)!r}
            c.CourseDirectory.course_id = {COURSE_ID!r}
            c.CourseDirectory.db_url = {f"sqlite:///{root / 'gradebook.db'}"!r}
            c.Execute.timeout = 120
            """
        ),
        encoding="utf-8",
    )
    notebook = f"{week.stem}.ipynb"
    (root / "source" / week.stem / notebook).write_text(
        json.dumps(source_notebook(week), indent=1), encoding="utf-8"
    )
    _, status, output = run_command(
        [*command("nbgrader", "nbgrader"), "generate_assignment", week.stem, "--force"],
        cwd=root,
        env=environment(),
        show=lambda line: None,
    )
    if status != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{output[-3000:]}")
    release = json.loads((root / "release" / week.stem / notebook).read_text(encoding="utf-8"))
    for student in roster:
        answer = [
            cell
            for cell in release["cells"]
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == "answer"
        ]
        answer[0]["source"] = student.text
        folder = root / "submitted" / student.name / week.stem
        folder.mkdir(parents=True)
        (folder / notebook).write_text(json.dumps(release, indent=1), encoding="utf-8")
    return root


def grade_with_nbgrader(root: Path, week: Week, roster: list[Student]) -> Run:
    """(b): ``nbgrader autograde WEEK``, timed from start to exit; scores from its gradebook."""
    from nbgrader.api import Gradebook

    done = 0

    def progress(line: str) -> str | None:
        nonlocal done
        found = re.search(r"Autograding .*/autograded/([^/]+)/", line)
        if found:
            done += 1
            return f"(b) [{done}/{len(roster)}] autograding {found.group(1)}"
        return line if "ERROR" in line or "CRITICAL" in line else None

    argv = [*command("nbgrader", "nbgrader"), "autograde", week.stem]
    print(f"  (b) nbgrader autograde {week.stem}", flush=True)
    seconds, status, output = run_command(argv, cwd=root, env=environment(), show=progress)
    if status != 0:
        print(f"    nbgrader autograde exited with {status}; its last lines:\n{output[-2000:]}")
    scores: dict[str, float] = {}
    checks: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID) as book:
        for student in roster:
            try:
                submission = book.find_submission(week.stem, student.name)
            except Exception:  # not graded: nbgrader logged why
                continue
            scores[student.name] = float(submission.score)
            checks[student.name] = {
                grade.name: float(grade.score or 0.0)
                for notebook in submission.notebooks
                for grade in notebook.grades
            }
    print(f"  (b) nbgrader autograde: {seconds:.1f} s", flush=True)
    return Run("(b) nbgrader autograde", seconds, scores, checks, load=os.getloadavg())


def agreement(
    roster: list[Student], first: Run, second: Run, *, within: float = 1.0
) -> tuple[int, list[dict[str, Any]]]:
    """How many students ``first`` and ``second`` scored within ``within`` points of each
    other, and the others, with the checks the two runs gave different points."""
    agreeing = 0
    differing = []
    for student in roster:
        one, two = first.scores.get(student.name), second.scores.get(student.name)
        if one is not None and two is not None and abs(one - two) <= within:
            agreeing += 1
            continue
        mine, theirs = first.checks.get(student.name, {}), second.checks.get(student.name, {})
        differing.append(
            {
                "student": student.name,
                "kind": student.kind,
                "variant": student.variant,
                first.label: one,
                second.label: two,
                "checks": sorted(
                    name
                    for name in set(mine) | set(theirs)
                    if mine.get(name, 0.0) != theirs.get(name, 0.0)
                ),
            }
        )
    return agreeing, differing


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def measured(action: Callable[[], Run]) -> Run:
    """``action``'s run, with the load average as it started."""
    before = os.getloadavg()
    run = action()
    run.load_before = before
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2, help="course autograde --jobs")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster runs")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    week = Layout(ROOT).week(WEEK)
    roster = class_roster(week, args.students)
    kinds = Counter(student.kind for student in roster)
    files = len(distinct(roster))
    started_load = os.getloadavg()
    print(
        f"{week.stem}: {len(roster)} students ("
        + ", ".join(f"{kinds[kind]} {kind}" for kind in ("correct", "wrong", "partial"))
        + f", {kinds['broken']} broken, {kinds['duplicate']} duplicates; {files} distinct "
        f"files); {os.cpu_count()} cores; load average {_load(started_load)}",
        flush=True,
    )
    scratch = Path(tempfile.mkdtemp(prefix="course-nbcmp-"))
    runs: list[Run] = []
    try:
        print("(c) the compute floor: each distinct file trained and evaluated plainly")
        floor = measured(lambda: compute_floor(roster, scratch))
        runs.append(floor)
        print("(a) setting up the course (init, release: it grades the stub)", flush=True)
        settings = course_directory(roster, week, scratch)
        course = measured(
            lambda: grade_with_course(
                settings,
                week,
                label=f"(a) course --jobs {args.jobs}",
                extra=["--jobs", str(args.jobs)],
            )
        )
        runs.append(course)
        print("(b) setting up nbgrader's course (generate_assignment)", flush=True)
        folder = nbgrader_course(roster, week, scratch)
        nbgrader = measured(lambda: grade_with_nbgrader(folder, week, roster))
        runs.append(nbgrader)
        if not args.no_dask:
            for workers in (1, 2):
                label = f"(a) Dask, {workers} worker{'s' if workers > 1 else ''}"
                print(f"  {label}: starting the cluster", flush=True)
                with dask_cluster(scratch / f"dask-{workers}", workers) as address:
                    extra = ["--scheduler", address, "--force"]
                    grading = partial(grade_with_course, settings, week, label=label, extra=extra)
                    runs.append(measured(grading))
    finally:
        if args.keep:
            print(f"(kept {scratch})")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    count = len(roster)
    print()
    print(
        f"{'run':26} {'wall s':>8} {'s/student':>10} {'+s/student':>11} {'x (c)':>7} "
        f"{'(b) / run':>10}  load (1 min) before, after"
    )
    for run in runs:
        print(
            f"{run.label:26} {run.seconds:8.1f} {run.seconds / count:10.2f} "
            f"{(run.seconds - floor.seconds) / count:11.2f} {run.seconds / floor.seconds:7.2f} "
            f"{nbgrader.seconds / run.seconds:10.2f}  {run.load_before[0]:.2f}, {run.load[0]:.2f}"
        )
    to_floor, faster = course.seconds / floor.seconds, nbgrader.seconds / course.seconds
    targets = {
        "a_over_c": round(to_floor, 3),
        "a_over_c_met": to_floor <= 1.1,
        "b_over_a": round(faster, 3),
        "b_over_a_met": faster >= 1.8,
    }
    print(
        f"targets: (a) <= 1.1 x (c): {'met' if targets['a_over_c_met'] else 'MISSED'} "
        f"({to_floor:.2f}); (a) >= 1.8 x faster than (b): "
        f"{'met' if targets['b_over_a_met'] else 'MISSED'} ({faster:.2f})"
    )
    agreeing, differing = agreement(roster, course, nbgrader)
    equal = sum(course.scores.get(s.name) == nbgrader.scores.get(s.name) for s in roster)
    print(
        f"(a) and (b) agree within 1 point on {agreeing} of {count} students "
        f"(the same score: {equal})"
    )
    for row in differing:
        print(
            f"  {row['student']} ({row['kind']}: {row['variant']}): (a) {row[course.label]}, "
            f"(b) {row[nbgrader.label]}; checks that differ: {', '.join(row['checks']) or '-'}"
        )
    dask_runs = [run for run in runs if "Dask" in run.label]
    for run in dask_runs:
        same = sum(run.scores.get(s.name) == course.scores.get(s.name) for s in roster)
        print(f"{run.label}: the same score as (a) for {same} of {count} students")
    if args.json:
        document = {
            "machine": platform.platform(),
            "cores": os.cpu_count(),
            "load_before": [round(value, 2) for value in started_load],
            "week": week.stem,
            "students": [
                {
                    "name": student.name,
                    "kind": student.kind,
                    "variant": student.variant,
                    **{run.label: run.scores.get(student.name) for run in runs[1:]},
                }
                for student in roster
            ],
            "runs": [
                {
                    "label": run.label,
                    "seconds": round(run.seconds, 2),
                    "per_student": round(run.seconds / count, 3),
                    "ratio_to_floor": round(run.seconds / floor.seconds, 3),
                    "load_before": [round(value, 2) for value in run.load_before],
                    "load_after": [round(value, 2) for value in run.load],
                    "note": run.note,
                }
                for run in runs
            ],
            "targets": targets,
            "agreement": {
                "within_1_point": agreeing,
                "same_score": equal,
                "of": count,
                "differing": differing,
            },
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
