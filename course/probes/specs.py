"""What each probe is asked and what it answers, as data both sides can read.

A probe runs in the worker, in the same process as the student's code, so its reply is
untrusted: the submission can patch the probe or the objects it describes. The grading
process therefore checks every reply against the probe's :class:`ProbeSpec` before a grader
reads it, and every request too, before sending it (a grader bug then names the probe and
the argument, instead of surfacing in the worker as a ``TypeError``).

A spec is declarative: :data:`SPECS` maps each probe's name to its arguments (required and
optional, each with a schema) and the schema of its reply, written with the vocabulary of
:mod:`course.probes.schema`. A test keeps :data:`SPECS` and the registry of
``course.probes`` the same, argument names included.

This module imports neither TensorFlow nor anything of ``course`` but the schema and the
argument markers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course.probes.markers import MODEL_KEY
from course.probes.schema import (
    ARGUMENT,
    ARRAY_KINDS,
    FLAG,
    INTEGER,
    MARKER_PAYLOADS,
    NUMBER,
    PLAIN,
    TEXT,
    Array,
    Either,
    ListOf,
    MapOf,
    Maybe,
    OneOf,
    Record,
    Schema,
)


class Mismatch(ValueError):
    """A value that does not have the shape its spec promises; the message says where."""


class RequestMismatch(Mismatch):
    """A grader's request that the probe cannot take (a grader bug)."""


class ReplyMismatch(Mismatch):
    """A worker's reply that the grader cannot read (the submission's doing)."""


@dataclass(frozen=True)
class ProbeSpec:
    """One probe: its arguments (``required`` and ``optional``) and the form of its reply."""

    name: str
    required: Mapping[str, Schema]
    reply: Schema
    optional: Mapping[str, Schema] = field(default_factory=dict)

    def check_request(self, args: Mapping[str, Any]) -> None:
        """Raise :class:`RequestMismatch` unless ``args`` are what the probe takes."""
        missing = [name for name in self.required if name not in args]
        unknown = [name for name in args if name not in self.required and name not in self.optional]
        takes = ", ".join([*self.required, *(f"{name}=" for name in self.optional)])
        if missing:
            listed = ", ".join(missing)
            raise RequestMismatch(f"the probe {self.name!r} needs {listed} (it takes {takes})")
        if unknown:
            listed = ", ".join(unknown)
            raise RequestMismatch(
                f"the probe {self.name!r} takes no argument {listed} (it takes {takes})"
            )
        for name, value in args.items():
            schema = self.required.get(name) or self.optional[name]
            if found := schema.problem(value, name):
                raise RequestMismatch(f"the probe {self.name!r}: {found}")

    def check_reply(self, value: Any) -> None:
        """Raise :class:`ReplyMismatch` unless ``value`` has the form the probe promises."""
        if found := self.reply.problem(value, "the reply"):
            raise ReplyMismatch(found)


def spec_for(name: str) -> ProbeSpec:
    """The spec of the probe ``name``; :class:`LookupError` when there is no such probe."""
    try:
        return SPECS[name]
    except KeyError:
        raise LookupError(f"no probe named {name!r}") from None


# -- the vocabulary of replies -----------------------------------------------------------

STRINGS = ListOf(TEXT)
INTEGERS = ListOf(INTEGER)
NUMBERS = ListOf(NUMBER)
ARRAYS = ListOf(Array())
#: An array of any dtype that may cross the boundary.
ANY_ARRAY = Array(kinds=ARRAY_KINDS)
#: JSON-safe settings: a layer's ``get_config()``, compile settings.
SETTINGS = MapOf(PLAIN)
#: One number as the probe reports it: a Python number, or a 0-d array.
SCALAR = Either((NUMBER, Array(ndim=0)))
SHAPE = ListOf(Maybe(INTEGER))
ERROR = Record({"type": TEXT, "message": TEXT})

LAYER = Record(
    {
        "class_name": TEXT,
        "name": TEXT,
        "config": Maybe(SETTINGS),
        "output_shape": Maybe(SHAPE),
        "trainable": FLAG,
        "weight_shapes": ListOf(INTEGERS),
    }
)
#: :func:`course.probes.models.describe_model`.
MODEL = Record(
    {
        "class_name": TEXT,
        "class_chain": STRINGS,
        "config_json": Maybe(TEXT),
        "layers": ListOf(LAYER),
        "input_shape": PLAIN,  # a list, or lists for several inputs
        "output_shape": PLAIN,
        "weights": ARRAYS,
        "weight_names": STRINGS,
        "weight_trainable": ListOf(FLAG),
        "compiled": FLAG,
        "compile_config": Maybe(SETTINGS),
        "predictions": PLAIN,  # an array, or several for several outputs
    }
)
#: A ``History``'s per-epoch logs.
LOGS = MapOf(ListOf(SCALAR))
#: :func:`course.probes.models.describe_history`.
HISTORY = Record({"history": LOGS, "epochs": INTEGERS})
TRAINED = Record({"model": MODEL, "history": HISTORY})
#: :func:`course.probes.pipelines.describe`.
DATASET = Record(
    {
        "element_spec": PLAIN,
        "transformations": STRINGS,
        "cardinality": INTEGER,
        "first_batch": Maybe(ListOf(PLAIN)),
        "batch_sizes": INTEGERS,
        "targets": Maybe(ANY_ARRAY),
    }
)
#: A variable of a custom component: name, path, shape, trainable (and value).
VARIABLE = Record(
    {"name": TEXT, "path": TEXT, "shape": INTEGERS, "trainable": FLAG},
    optional={"value": Array()},
)
#: A class the submission may define: ``course.probes.custom._describe_class``.
CLASS = Record({"class_name": TEXT, "module": TEXT, "is_submission_class": FLAG})
WEIGHT = Record({"path": TEXT, "trainable": FLAG, "value": Array()})
SUBLAYER = Record(
    {
        "class_name": TEXT,
        "class_chain": STRINGS,
        "path": TEXT,
        "config": Maybe(SETTINGS),
        "weights": ListOf(WEIGHT),
    }
)
#: :func:`course.probes.distribution.describe_variables`.
PLACED_VARIABLE = Record({"path": TEXT, "kind": TEXT, "copies": INTEGER})
#: :func:`course.probes.inference.leaf_layers`.
LEAF_LAYER = Record(
    {
        "name": TEXT,
        "path": TEXT,
        "class_name": TEXT,
        "output_shape": Maybe(SHAPE),
        "trainable_parameters": INTEGER,
        "non_trainable_parameters": INTEGER,
        "weights": ARRAYS,
    }
)
IMAGE_DATASET = Record(
    {
        "class_name": TEXT,
        "element_spec": PLAIN,
        "cardinality": INTEGER,
        "class_names": Maybe(STRINGS),
        "batch_sizes": INTEGERS,
        "features": Maybe(ANY_ARRAY),
        "features_complete": FLAG,
        "targets": Maybe(ANY_ARRAY),
    }
)
FILE = Record({"text": TEXT, "utf8": FLAG, "bytes": INTEGER, "truncated": FLAG})

# -- the vocabulary of requests ----------------------------------------------------------

#: Positional arguments for the submission: plain data and markers.
ARGS = Maybe(ListOf(ARGUMENT))
#: Keyword arguments for the submission.
KWARGS = Maybe(MapOf(ARGUMENT))
#: Keyword arguments for Keras (``fit``, ``compile``).
OPTIONS = MapOf(PLAIN)
#: A grader's Keras model (:func:`course.probes.markers.model_spec`).
MODEL_ARGUMENT = Record({MODEL_KEY: MARKER_PAYLOADS[MODEL_KEY]})
CALL_ARGUMENTS: dict[str, Schema] = {"args": ARGS, "kwargs": KWARGS}


def _spec(
    name: str,
    reply: Schema,
    required: Mapping[str, Schema],
    optional: Mapping[str, Schema] | None = None,
) -> ProbeSpec:
    return ProbeSpec(name=name, required=dict(required), reply=reply, optional=dict(optional or {}))


_ALL = (
    # values.py
    _spec("call", PLAIN, {"function": TEXT}, {**CALL_ARGUMENTS, "as_tensors": FLAG}),
    # models.py
    _spec("model.build", MODEL, {"builder": TEXT}, {"args": ARGS, "predict_inputs": PLAIN}),
    _spec(
        "model.fit",
        TRAINED,
        {"builder": TEXT, "x": PLAIN, "y": PLAIN, "fit_options": OPTIONS},
        {"args": ARGS, "predict_inputs": PLAIN},
    ),
    _spec(
        "model.train",
        Record({"model": MODEL, "history": Maybe(HISTORY), "history_problem": Maybe(TEXT)}),
        {"builder": TEXT, "trainer": TEXT, "x": PLAIN, "y": PLAIN},
        {"preprocess": Maybe(TEXT), "predict_inputs": PLAIN},
    ),
    # inference.py
    _spec(
        "model.call",
        Record({"outputs": ListOf(PLAIN)}),
        {"builder": TEXT, "inputs": PLAIN, "training": ListOf(Maybe(FLAG))},
        CALL_ARGUMENTS,
    ),
    _spec(
        "model.inspect",
        Record({"model": MODEL, "layers": ListOf(LEAF_LAYER)}),
        {"builder": TEXT},
        CALL_ARGUMENTS,
    ),
    _spec(
        "model.build_and_train",
        TRAINED,
        {"builder": TEXT, "trainer": TEXT, "x": PLAIN, "y": PLAIN},
        CALL_ARGUMENTS,
    ),
    # pipelines.py
    _spec(
        "dataset.describe", DATASET, {"function": TEXT}, {**CALL_ARGUMENTS, "max_batches": INTEGER}
    ),
    # callbacks.py
    _spec(
        "callback.describe",
        Record({"class_chain": STRINGS, "attributes": SETTINGS}),
        {"factory": TEXT},
        {"args": ARGS},
    ),
    _spec(
        "callback.decisions",
        ListOf(Either((Record({"stop_training": FLAG}), Record({"error": ERROR})))),
        {"factory": TEXT, "logs": ListOf(SETTINGS)},
        {"args": ARGS},
    ),
    _spec(
        "callback.early_stopping",
        Record({"stopped_after_epoch": Maybe(INTEGER), "weights_from_epoch": NUMBER}),
        {"factory": TEXT, "logs": ListOf(SETTINGS)},
        {"args": ARGS},
    ),
    _spec(
        "callback.learning_rates",
        NUMBERS,
        {"factory": TEXT, "epochs": INTEGER, "initial_learning_rate": NUMBER},
        {"args": ARGS},
    ),
    _spec(
        "callback.fit",
        Record(
            {
                "history": LOGS,
                "epochs_run": INTEGER,
                "weights": ARRAYS,
                "epoch_weights": Maybe(ListOf(ARRAYS)),
                "reloaded": Maybe(
                    Record({"exists": FLAG}, optional={"weights": ARRAYS, "error": ERROR})
                ),
            }
        ),
        {
            "factory": TEXT,
            "model_json": TEXT,
            "compile_options": OPTIONS,
            "x": PLAIN,
            "y": PLAIN,
            "fit_options": OPTIONS,
        },
        {
            "validation": Maybe(ListOf(PLAIN)),
            "record_weights": FLAG,
            "reload_path": Maybe(TEXT),
            "args": ARGS,
        },
    ),
    # custom.py
    _spec(
        "custom.loss",
        Record(
            {
                "class_chain": STRINGS,
                "is_loss_object": FLAG,
                "values": ListOf(PLAIN),
                "config": Maybe(SETTINGS),
                "round_trip_values": Maybe(ListOf(PLAIN)),
            }
        ),
        {"factory": TEXT, "cases": ListOf(ListOf(PLAIN))},
        {**CALL_ARGUMENTS, "round_trip": FLAG},
    ),
    _spec(
        "custom.layer",
        Record(
            {
                "class_chain": STRINGS,
                "weights_after_build": ListOf(VARIABLE),
                "outputs": PLAIN,
                "weights": Maybe(ListOf(VARIABLE)),
                "config": Maybe(SETTINGS),
                "rebuilt_weights": Maybe(ListOf(VARIABLE)),
            }
        ),
        {"name": TEXT, "input_shape": SHAPE},
        {"kwargs": KWARGS, "inputs": PLAIN, "round_trip": FLAG},
    ),
    _spec(
        "custom.metric",
        Record({"class_chain": STRINGS, "results": ListOf(PLAIN)}),
        {"name": TEXT, "steps": ListOf(MapOf(PLAIN))},
        {"kwargs": KWARGS},
    ),
    _spec(
        "custom.subclassed",
        Record({"class_chain": STRINGS, "outputs": PLAIN, "trainable_variables": ListOf(VARIABLE)}),
        {"name": TEXT, "inputs": PLAIN},
        {"kwargs": KWARGS},
    ),
    _spec(
        "custom.heads",
        Record(
            {
                "output_names": STRINGS,
                "predictions": MapOf(PLAIN),
                "compiled": FLAG,
                "evaluation": Maybe(MapOf(NUMBER)),
            }
        ),
        {"builder": TEXT, "inputs": PLAIN, "targets": MapOf(PLAIN)},
        {"args": ARGS},
    ),
    _spec(
        "custom.save_and_load",
        Record(
            {
                "saved": FLAG,
                "predictions_before": PLAIN,
                "predictions_after": PLAIN,
                "layers_before": ListOf(CLASS),
                "loss_before": Maybe(CLASS),
                "layers_after": Maybe(ListOf(CLASS)),
                "loss_after": Maybe(CLASS),
                "load_error": Maybe(ERROR),
            }
        ),
        {"builder": TEXT, "saver": TEXT, "loader": TEXT, "inputs": PLAIN},
        {
            "filename": TEXT,
            "args": ARGS,
            "x": PLAIN,
            "y": PLAIN,
            "fit_options": Maybe(OPTIONS),
        },
    ),
    # attention.py
    _spec(
        "attention.layer",
        Record(
            {
                "class_chain": STRINGS,
                "outputs": ListOf(PLAIN),
                "trainable_parameters": INTEGER,
                "non_trainable_parameters": INTEGER,
                "weights": ListOf(WEIGHT),
                "sublayers": ListOf(SUBLAYER),
            }
        ),
        {"factory": TEXT, "calls": ListOf(MapOf(PLAIN))},
        CALL_ARGUMENTS,
    ),
    # distribution.py
    _spec(
        "distribution.strategy",
        Record(
            {
                "class_chain": STRINGS,
                "replicas": INTEGER,
                "devices": Maybe(STRINGS),
                "machine": Record({"gpus": STRINGS, "cpus": STRINGS}),
            }
        ),
        {"function": TEXT},
    ),
    _spec("distribution.call", PLAIN, {"function": TEXT}, CALL_ARGUMENTS),
    _spec(
        "distribution.dataset",
        Record(
            {
                "class_chain": STRINGS,
                "distributed": FLAG,
                "replicas": INTEGER,
                "steps": ListOf(Record({"x": ListOf(PLAIN), "y": ListOf(PLAIN)})),
            }
        ),
        {"function": TEXT},
        {"args": ARGS, "max_steps": INTEGER},
    ),
    _spec(
        "distribution.model",
        Record(
            {
                "model": MODEL,
                "variables": ListOf(PLACED_VARIABLE),
                "optimizer": Maybe(TEXT),
                "optimizer_built": FLAG,
                "optimizer_variables": ListOf(PLACED_VARIABLE),
                "replicas": INTEGER,
                "same_strategy": FLAG,
            }
        ),
        {"builder": TEXT},
        {"args": ARGS},
    ),
    _spec(
        "distribution.step",
        Record(
            {
                "weights": ARRAYS,
                "loss": PLAIN,
                "loss_kind": OneOf(("value", "per_replica")),
                "training_flags": STRINGS,
            }
        ),
        {
            "function": TEXT,
            "weights": ListOf(PLAIN),
            "x": PLAIN,
            "y": PLAIN,
            "learning_rate": NUMBER,
        },
    ),
    _spec(
        "distribution.fit",
        Record(
            {"model": MODEL, "iterations": Maybe(INTEGER), "variables": ListOf(PLACED_VARIABLE)}
        ),
        {"function": TEXT, "args": ListOf(PLAIN)},
    ),
    # images.py
    _spec(
        "images.datasets",
        Record(
            {
                "class_name": TEXT,
                "datasets": ListOf(Either((IMAGE_DATASET, Record({"class_name": TEXT})))),
            }
        ),
        {"function": TEXT},
        {**CALL_ARGUMENTS, "max_batches": INTEGER, "max_feature_values": INTEGER},
    ),
    # loops.py
    _spec(
        "loops.train_steps",
        Record(
            {
                "weights_before": ARRAYS,
                "weights_after_first": Maybe(ARRAYS),
                "losses": ListOf(PLAIN),
                "graph_loss_calls": INTEGERS,
                "eager_loss_calls": INTEGERS,
                "tracing_counts": ListOf(Maybe(INTEGER)),
                "training_flags": STRINGS,
            }
        ),
        {
            "compiled": FLAG,
            "inputs": INTEGER,
            "layers": ListOf(Record({"units": INTEGER, "activation": TEXT})),
            "weights": ListOf(PLAIN),
            "learning_rate": NUMBER,
            "batches": ListOf(ListOf(PLAIN)),
        },
    ),
    _spec(
        "loops.one_epoch",
        Record({"results": ListOf(PLAIN), "losses": ListOf(NUMBERS), "metric_results": NUMBERS}),
        {"epochs": ListOf(ListOf(PLAIN)), "batch_size": INTEGER, "earlier_losses": NUMBERS},
    ),
    _spec(
        "loops.dataset_steps",
        Record({"path": STRINGS, "steps": STRINGS, "source": OneOf(("graph", "python"))}),
        {"function": TEXT},
        CALL_ARGUMENTS,
    ),
    # sequences.py
    _spec(
        "sequences.fit",
        TRAINED,
        {"builder": TEXT, "args": ListOf(PLAIN), "x": PLAIN, "y": PLAIN, "fit_options": OPTIONS},
    ),
    # text.py
    _spec(
        "text.strings",
        Record({"class": TEXT, "dtype": Maybe(TEXT), "value": PLAIN}),
        {"function": TEXT},
        CALL_ARGUMENTS,
    ),
    _spec(
        "text.outcome",
        Either(
            (
                Record({"value": PLAIN}),
                Record({"raised": Record({"class_chain": STRINGS, "message": TEXT})}),
            )
        ),
        {"function": TEXT},
        CALL_ARGUMENTS,
    ),
    _spec(
        "text.vectorizer",
        Record({"vocabulary": STRINGS, "config": Maybe(SETTINGS), "outputs": PLAIN}),
        {"function": TEXT},
        {**CALL_ARGUMENTS, "inputs": Maybe(ListOf(PLAIN))},
    ),
    _spec("text.dataset", DATASET, {"function": TEXT}, CALL_ARGUMENTS),
    _spec(
        "text.train",
        Record(
            {"model": MODEL, "history": HISTORY, "vocabulary": STRINGS, "validation_ids": PLAIN}
        ),
        {
            "texts": ListOf(PLAIN),
            "labels": ListOf(PLAIN),
            "validation_texts": ListOf(PLAIN),
            "max_tokens": INTEGER,
            "sequence_length": INTEGER,
            "embedding_dim": INTEGER,
            "vectorizer_builder": TEXT,
            "label_encoder": TEXT,
            "dataset_maker": TEXT,
            "builder": TEXT,
            "trainer": TEXT,
        },
    ),
    _spec(
        "text.files",
        Record({"exists": FLAG, "files": MapOf(FILE)}),
        {"function": TEXT, "directory": TEXT},
        CALL_ARGUMENTS,
    ),
    # time_series.py
    _spec(
        "time_series.forecast",
        Record(
            {
                "value": PLAIN,
                "runs": Record({"predict": INTEGER, "predict_on_batch": INTEGER, "call": INTEGER}),
            }
        ),
        {
            "function": TEXT,
            "model": MODEL_ARGUMENT,
            "series": PLAIN,
            "window_size": INTEGER,
            "batch_size": INTEGER,
        },
    ),
)

#: Every probe's spec, by the probe's registered name.
SPECS: dict[str, ProbeSpec] = {spec.name: spec for spec in _ALL}
if len(SPECS) != len(_ALL):
    raise ValueError("a probe has two specs")
