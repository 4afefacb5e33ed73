"""Rebuild a submitted model in the grading process from its config and weight arrays.

The config is checked against an allow-list before Keras sees it: every serialised object
must be a built-in layer, initializer, regularizer, constraint or dtype policy from a Keras
module, and every activation a built-in name. ``Lambda``, custom classes, functions and
modules outside Keras are refused, so deserialising cannot run code from the submission.
No file from the submission is ever loaded here.

Size is bounded before anything is allocated: the weight arrays received are measured first,
then the model is built once inside ``keras.StatelessScope(initialize_variables=False)``,
where a variable records its shape and dtype and defers its initializer, and its variables are
summed (:class:`Size`). A model of over :data:`MAX_PARAMETERS` parameters, or whose variables
would take over :data:`MAX_WEIGHT_BYTES` at their dtypes, is refused; only then is it built for
real. Measured on a forged config with ``Embedding(800_000, 1_000)`` (800 million parameters,
3 GiB at float32): rebuilt without the check, this process peaked at 10.8 GB; refused, it takes
under 10 ms and its peak resident memory does not move (``tests/grading/test_rebuild.py``).
The reference models are far below the budget. The largest the graders build are week 7's
next-word model for 2,000 words (452,048 parameters), week 4's CNN (347,754), week 12's
transformer classifier (168,425) and week 6's classifier (160,289).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

LAYERS = frozenset(
    [
        "InputLayer",
        "Dense",
        "Flatten",
        "Reshape",
        "Dropout",
        "Activation",
        "Softmax",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "PReLU",
        "BatchNormalization",
        "LayerNormalization",
        "Rescaling",
        "Normalization",
        "Resizing",
        "CenterCrop",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "SeparableConv2D",
        "DepthwiseConv2D",
        "Conv2DTranspose",
        "MaxPooling1D",
        "MaxPooling2D",
        "AveragePooling1D",
        "AveragePooling2D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "Cropping1D",
        "Cropping2D",
        "UpSampling1D",
        "UpSampling2D",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "GaussianNoise",
        "GaussianDropout",
        "AlphaDropout",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "RandomCrop",
        "Embedding",
        "Masking",
        "Permute",
        "RepeatVector",
        "TimeDistributed",
        "Bidirectional",
        "SimpleRNN",
        "LSTM",
        "GRU",
        "SimpleRNNCell",
        "LSTMCell",
        "GRUCell",
        "MultiHeadAttention",
        "Add",
        "Subtract",
        "Multiply",
        "Average",
        "Maximum",
        "Minimum",
        "Concatenate",
        "Dot",
    ]
)
MODELS = frozenset({"Sequential", "Functional", "Model"})
#: Operations a Functional model's config may hold, with the module Keras names: an
#: ``Embedding(mask_zero=True)`` in a Functional model writes its padding mask as a
#: ``NotEqual`` of the token ids and 0.
OPERATIONS = {"NotEqual": "keras.src.ops.numpy"}
SUPPORT = frozenset(
    [
        "DTypePolicy",
        "FloatDTypePolicy",
        "__keras_tensor__",
        "Zeros",
        "Ones",
        "Constant",
        "RandomNormal",
        "RandomUniform",
        "TruncatedNormal",
        "VarianceScaling",
        "GlorotNormal",
        "GlorotUniform",
        "HeNormal",
        "HeUniform",
        "LecunNormal",
        "LecunUniform",
        "Orthogonal",
        "Identity",
        "IdentityInitializer",
        "L1",
        "L2",
        "L1L2",
        "OrthogonalRegularizer",
        "MaxNorm",
        "MinMaxNorm",
        "NonNeg",
        "UnitNorm",
    ]
)
ACTIVATIONS = frozenset(
    [
        "linear",
        "relu",
        "relu6",
        "leaky_relu",
        "elu",
        "selu",
        "gelu",
        "silu",
        "swish",
        "sigmoid",
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "softmax",
        "log_softmax",
        "softplus",
        "softsign",
        "tanh",
        "exponential",
        "mish",
    ]
)
MODULES = frozenset(
    {
        None,
        "keras",
        "keras.layers",
        "keras.initializers",
        "keras.regularizers",
        "keras.constraints",
        "keras.models",
        "keras.src.models.functional",
        "keras.src.models.sequential",
        "keras.src.models.model",
    }
)


#: The most parameters a model rebuilt here may have: over 40 times the largest reference
#: model the graders build (452,048, week 7's next-word model for 2,000 words).
MAX_PARAMETERS = 20_000_000
#: The most memory a rebuilt model's variables may take at their dtypes (and the arrays sent).
MAX_WEIGHT_BYTES = 512 * 2**20
#: Values one layer may output for one example: a 512x512x64 feature map is 16.8 million.
MAX_ACTIVATION_VALUES = 16_777_216


class NotRebuildable(Exception):
    """The model cannot be rebuilt safely here; the message says why, for a student."""


def check_config(config: Any, *, where: str = "the model") -> None:
    """Raise :class:`NotRebuildable` unless every object in ``config`` is allow-listed."""
    if isinstance(config, list):
        for item in config:
            check_config(item, where=where)
        return
    if not isinstance(config, dict):
        return
    if "class_name" in config:
        name = config["class_name"]
        if name in OPERATIONS:
            if config.get("module") != OPERATIONS[name]:
                raise NotRebuildable(f"{where} refers to the module {config.get('module')!r}")
        elif name not in LAYERS | MODELS | SUPPORT:
            raise NotRebuildable(
                f"{where} uses {name!r}, which is not a built-in Keras layer the grader can "
                "rebuild (Lambda layers and custom classes are not accepted here)"
            )
        elif config.get("module") not in MODULES:
            raise NotRebuildable(f"{where} refers to the module {config.get('module')!r}")
        registered = config.get("registered_name")
        if registered is not None and registered != name:
            raise NotRebuildable(f"{where} uses the registered object {registered!r}")
    activation = config.get("activation")
    if activation is not None and (
        not isinstance(activation, str) or activation not in ACTIVATIONS
    ):
        raise NotRebuildable(f"{where} uses the activation {activation!r}, not a built-in one")
    for key, value in config.items():
        if key != "activation":
            check_config(value, where=where)


def rebuild_model(
    config_json: str | None,
    weights: Sequence[np.ndarray],
    *,
    max_parameters: int = MAX_PARAMETERS,
    max_bytes: int = MAX_WEIGHT_BYTES,
    max_activation_values: int | None = None,
) -> Any:
    """A Keras model built from ``config_json`` with ``weights``; :class:`NotRebuildable`
    when the config is missing, refers to anything outside the allow-list, describes a model
    of over ``max_parameters`` parameters or ``max_bytes`` of weights (found before any
    variable is allocated), or the weight arrays exceed those budgets or do not fit it."""
    if config_json is None:
        raise NotRebuildable(
            "the model has no config (a subclassed model without get_config cannot be rebuilt)"
        )
    try:
        config = json.loads(config_json)
    except json.JSONDecodeError as error:
        raise NotRebuildable(f"the model config is not valid JSON: {error}") from error
    if not isinstance(config, dict) or config.get("class_name") not in MODELS:
        raise NotRebuildable("the model is not a Sequential or Functional model")
    # The compile settings travel with the config; the rebuilt model is never trained.
    config.pop("compile_config", None)
    check_config(config)
    budget = {"max_parameters": max_parameters, "max_bytes": max_bytes}
    Size.of_arrays(weights).check(what="the weight arrays sent with the model hold", **budget)
    config_json = json.dumps(config)
    Size.of_config(config_json).check(what="the model has", **budget)

    import keras

    try:
        model = keras.models.model_from_json(config_json)
    except Exception as error:  # a config Keras itself rejects
        raise NotRebuildable(f"Keras could not rebuild the model: {error}") from error
    expected = [tuple(w.shape) for w in model.weights]
    received = [tuple(w.shape) for w in weights]
    if expected != received:
        raise NotRebuildable(
            f"the weights do not fit the model: expected shapes {expected}, received {received}"
        )
    check_activations(model, max_values=max_activation_values or MAX_ACTIVATION_VALUES)
    model.set_weights(
        [np.asarray(w, dtype=v.dtype) for w, v in zip(weights, model.weights, strict=True)]
    )
    return model


def check_activations(model: Any, *, max_values: int = MAX_ACTIVATION_VALUES) -> None:
    """Refuse a model one of whose layers outputs more than ``max_values`` values for one
    example (a forged ``RepeatVector(10**8)`` or ``UpSampling2D``), before it predicts
    anything here. Dimensions left open (``None``: a sequence's length) depend on the
    inputs the grader chooses, and are not counted."""
    for layer in getattr(model, "layers", []):
        try:
            outputs = layer.output
        except (AttributeError, ValueError):  # a layer never called symbolically
            continue
        for output in outputs if isinstance(outputs, list | tuple) else [outputs]:
            shape = getattr(output, "shape", None)
            if shape is None:
                continue
            values = math.prod(int(d) for d in shape[1:] if d is not None)
            if values > max_values:
                raise NotRebuildable(
                    f"the layer {layer.name!r} outputs {values:,} values for each example; "
                    f"the grader evaluates models whose layers output at most {max_values:,} "
                    "(look at the sizes your layers produce: RepeatVector, UpSampling, "
                    "Resizing, a Reshape)"
                )


class Size(NamedTuple):
    """How big a model's weights are: values, bytes, and the dtypes they are stored in."""

    parameters: int
    memory: int
    dtypes: frozenset[str]

    @classmethod
    def of_arrays(cls, arrays: Sequence[np.ndarray]) -> Size:
        return cls(
            parameters=sum(int(a.size) for a in arrays),
            memory=sum(int(a.nbytes) for a in arrays),
            dtypes=frozenset(str(a.dtype) for a in arrays),
        )

    @classmethod
    def of_config(cls, config_json: str) -> Size:
        """The size of the model ``config_json`` describes, from a build that allocates no
        variable: parameters from its weights (as ``count_params`` counts them), memory from
        all its variables (random seed states included).

        Inside ``StatelessScope(initialize_variables=False)`` a Keras variable keeps its
        shape, dtype and initializer and registers itself, to be initialised when a stateless
        scope is next left. That registry is put back as it was afterwards, so these variables
        are never allocated, not even by the next symbolic call (TensorFlow's
        ``compute_output_spec`` opens a stateless scope)."""
        import keras
        from keras.src.backend.common import global_state  # the registry has no public API

        key = "uninitialized_variables"
        pending = list(global_state.get_global_attribute(key, None) or [])
        try:
            with keras.StatelessScope(initialize_variables=False):
                model = keras.models.model_from_json(config_json)
                weights, variables = list(model.weights), list(model.variables)
        except Exception as error:  # a config Keras itself rejects
            raise NotRebuildable(f"Keras could not rebuild the model: {error}") from error
        finally:
            global_state.set_global_attribute(key, pending)
        return cls(
            parameters=sum(math.prod(v.shape) for v in weights),
            memory=sum(math.prod(v.shape) * _itemsize(v.dtype) for v in variables),
            dtypes=frozenset(str(v.dtype) for v in weights),
        )

    def check(self, *, what: str, max_parameters: int, max_bytes: int) -> None:
        """Raise :class:`NotRebuildable` above either budget; ``what`` starts the message
        ("the model has")."""
        if self.parameters > max_parameters:
            raise NotRebuildable(
                f"{what} {self.parameters:,} parameters; the grader rebuilds models of at "
                f"most {max_parameters:,} (look at the sizes of your layers: the input_dim "
                "and output_dim of an Embedding, the units of a Dense layer after Flatten)"
            )
        if self.memory > max_bytes:
            raise NotRebuildable(
                f"{what} {_mebibytes(self.memory)} of weights "
                f"({', '.join(sorted(self.dtypes))}); the grader rebuilds models whose weights "
                f"fit in {_mebibytes(max_bytes)} (use smaller layers, and float32 weights)"
            )


def _itemsize(dtype: str) -> int:
    """Bytes per element of a Keras dtype name: ``float32`` 4, ``bfloat16`` 2,
    ``float8_e4m3fn`` 1, ``bool`` 1."""
    bits = re.match(r"[a-z]+(\d+)", dtype)
    return max(1, int(bits.group(1)) // 8) if bits else 1


def _mebibytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"
