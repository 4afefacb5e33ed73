"""The probes' specs: one per registered probe, and each one refuses what it should."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from course.probes import load_all, markers, schema, specs
from course.probes.schema import ARGUMENT, PLAIN, Array, Either, ListOf, MapOf, Maybe, Record
from course.probes.specs import ReplyMismatch, RequestMismatch
from course.sandbox.protocol import decode, encode
from tests.probes.modules import module_from_source


def test_every_registered_probe_has_exactly_one_spec() -> None:
    """Each probe of the registry has one spec, and each spec names a registered probe."""
    registered = set(load_all())
    named = [spec.name for spec in specs._ALL]
    assert len(named) == len(set(named)), "a probe has two specs"
    assert set(named) - registered == set(), "specs of probes that do not exist"
    assert registered - set(named) == set(), "probes without a spec"
    assert set(specs.SPECS) == registered


def test_each_spec_takes_the_arguments_its_probe_takes() -> None:
    """A spec's required and optional arguments are its probe's keyword parameters."""
    for name, function in load_all().items():
        parameters = list(inspect.signature(function).parameters.values())[1:]
        required = {p.name for p in parameters if p.default is inspect.Parameter.empty}
        optional = {p.name for p in parameters if p.default is not inspect.Parameter.empty}
        spec = specs.SPECS[name]
        assert (set(spec.required), set(spec.optional)) == (required, optional), name


def test_the_specs_and_the_markers_import_no_tensorflow() -> None:
    """The grading process reads specs and markers without paying for TensorFlow."""
    code = (
        "import sys\n"
        "import course.probes.markers, course.probes.schema, course.probes.specs\n"
        "import course.grading.submission\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def _problem(form: schema.Schema, value: Any) -> str | None:
    return form.problem(value, "the reply")


def test_a_record_names_the_missing_the_unexpected_and_the_wrong_field() -> None:
    """Missing keys, unknown keys and a wrong type deep inside are each named by their path."""
    form = Record({"model": Record({"weights": ListOf(Array())}), "epochs": Maybe(PLAIN)})
    assert _problem(form, {"model": {"weights": [np.zeros(2)]}, "epochs": None}) is None
    assert _problem(form, {"epochs": 1}) == "the reply has no 'model'"
    assert _problem(form, {"model": {"weights": []}, "epochs": 1, "x": 2}) == (
        "the reply has unexpected keys: 'x'"
    )
    assert _problem(form, {"model": {"weights": [np.zeros(2), "w"]}, "epochs": 1}) == (
        "the reply['model']['weights'][1] should be an array, not a str"
    )
    assert _problem(form, [1]) == "the reply should be a dict, not a list"


def test_arrays_numbers_and_flags_are_told_apart() -> None:
    """An array of strings is no array of numbers; a bool is no number; a rank is checked."""
    assert _problem(Array(), np.array(["a"])) == (
        "the reply is an array of dtype <U1, not of numbers"
    )
    assert _problem(Array(ndim=0), np.zeros(3)) == "the reply has rank 1, expected 0"
    assert _problem(schema.NUMBER, True) == "the reply should be a number, not a bool"
    assert _problem(schema.NUMBER, 1.5) is None
    assert _problem(schema.FLAG, 1) == "the reply should be a bool, not a int"
    assert _problem(schema.TEXT, np.str_("a")) == "the reply should be a str, not a str_"
    assert _problem(specs.SCALAR, np.float32(1.0).reshape(())) is None
    assert _problem(MapOf(schema.INTEGER), {"a": 1, "b": "2"}) == (
        "the reply['b'] should be an integer, not a str"
    )


def test_either_accepts_any_option_and_reports_the_first() -> None:
    """A value that fits no option gets the first option's sentence."""
    form = Either((Record({"value": PLAIN}), Record({"raised": PLAIN})))
    assert _problem(form, {"raised": None}) is None
    assert _problem(form, {"other": 1}) == "the reply has no 'value'"


def test_plain_refuses_objects_and_object_arrays() -> None:
    """Only data crosses: no objects, no object arrays, no keys that are not strings."""
    assert _problem(PLAIN, {"a": [1, np.zeros(2), ("x", None)]}) is None
    assert "not plain data" in str(_problem(PLAIN, [object()]))
    assert "not data" in str(_problem(PLAIN, np.array([None], dtype=object)))
    assert _problem(PLAIN, {1: 2}) == "the reply has the key 1, which is not a string"


@pytest.mark.parametrize(
    "marker",
    [
        markers.function_spec("polynomial", coefficients=[1.0, 2.0]),
        markers.call_spec("build_model", 3, units=markers.STRATEGY),
        markers.model_spec("{}", [np.zeros((2, 1), dtype="float32")]),
        markers.vectorizer_spec(["film", "great"], 4),
        markers.STRATEGY,
    ],
)
def test_every_marker_the_grading_side_writes_is_a_valid_argument(marker: Any) -> None:
    """The markers' builders write what the argument schema accepts."""
    assert markers.marker_of(marker) in markers.MARKER_KEYS
    assert ARGUMENT.problem([1, {"inner": marker}], "args") is None


def test_a_malformed_marker_is_refused_where_it_is() -> None:
    """A marker whose payload the worker could not build is refused, by its path."""
    broken = {markers.CALL_KEY: {"function": 3}}
    assert ARGUMENT.problem([broken], "args") == (
        "args[0]['__call__']['function'] should be a str, not a int"
    )
    assert ARGUMENT.problem({markers.STRATEGY_KEY: "yes"}, "x") == (
        "x['__grading_strategy__'] should be one of True, not 'yes'"
    )
    assert PLAIN.problem(broken, "args") is None  # replies carry no markers


def test_a_request_names_the_probe_and_the_argument() -> None:
    """Missing, unknown and mistyped arguments are each refused with the probe's name."""
    spec = specs.spec_for("callback.learning_rates")
    spec.check_request({"factory": "f", "epochs": np.int64(3), "initial_learning_rate": 0.1})
    with pytest.raises(RequestMismatch, match=r"'callback.learning_rates' needs epochs"):
        spec.check_request({"factory": "f", "initial_learning_rate": 0.1})
    with pytest.raises(RequestMismatch, match=r"takes no argument epoch \(it takes factory,"):
        spec.check_request({"factory": "f", "epoch": 3, "epochs": 3, "initial_learning_rate": 1})
    with pytest.raises(RequestMismatch, match=r"epochs should be an integer, not a str"):
        spec.check_request({"factory": "f", "epochs": "3", "initial_learning_rate": 0.1})
    with pytest.raises(LookupError, match=r"no probe named 'model\.bild'"):
        specs.spec_for("model.bild")


def test_a_reply_mismatch_says_what_was_wrong() -> None:
    """A reply without the promised form raises ReplyMismatch with the path."""
    spec = specs.spec_for("callback.early_stopping")
    spec.check_reply({"stopped_after_epoch": None, "weights_from_epoch": 2.0})
    with pytest.raises(ReplyMismatch, match=r"the reply\['stopped_after_epoch'\] should be an"):
        spec.check_reply({"stopped_after_epoch": "2", "weights_from_epoch": 2.0})


def _round_trip(value: Any) -> Any:
    """``value`` as the grading process receives it from the worker."""
    return decode(encode(value))


def test_real_replies_fit_their_specs() -> None:
    """What the probes really return, once across the boundary, fits their specs."""
    pytest.importorskip("keras")
    from course.probes import callbacks, inference, models, values

    module = module_from_source(
        """
        import keras
        import numpy as np

        def build_model():
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
            return model

        def train(model, x, y):
            return model.fit(x, y, epochs=2, verbose=0)

        def make_stopper(patience):
            return keras.callbacks.EarlyStopping(monitor="loss", patience=patience)

        def pair(a):
            return (a, np.arange(3))
        """
    )
    x, y = np.ones((8, 3), dtype="float32"), np.zeros((8, 1), dtype="float32")
    replies = {
        "call": values.call(module, function="pair", args=[1.5]),
        "model.build": models.build(module, builder="build_model", predict_inputs=x),
        "model.fit": models.fit(module, builder="build_model", x=x, y=y, fit_options={}),
        "model.train": models.train(module, builder="build_model", trainer="train", x=x, y=y),
        "model.inspect": inference.inspect(module, builder="build_model"),
        "callback.describe": callbacks.describe(module, factory="make_stopper", args=[2]),
        "callback.decisions": callbacks.decisions(
            module, factory="make_stopper", args=[0], logs=[{"loss": 1.0}, {"loss": 2.0}]
        ),
        "callback.early_stopping": callbacks.early_stopping(
            module, factory="make_stopper", args=[1], logs=[{"loss": 1.0}] * 4
        ),
    }
    for name, reply in replies.items():
        specs.spec_for(name).check_reply(_round_trip(reply))
