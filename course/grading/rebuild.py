"""Rebuild a submitted model in the grading process from its config and weight arrays.

The config is checked against an allow-list before Keras sees it: every serialised object
must be a built-in layer, initializer, regularizer, constraint or dtype policy from a Keras
module, and every activation a built-in name. ``Lambda``, custom classes, functions and
modules outside Keras are refused, so deserialising cannot run code from the submission.
No file from the submission is ever loaded here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

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
        if name not in LAYERS | MODELS | SUPPORT:
            raise NotRebuildable(
                f"{where} uses {name!r}, which is not a built-in Keras layer the grader can "
                "rebuild (Lambda layers and custom classes are not accepted here)"
            )
        if config.get("module") not in MODULES:
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


def rebuild_model(config_json: str | None, weights: Sequence[np.ndarray]) -> Any:
    """A Keras model built from ``config_json`` with ``weights``; :class:`NotRebuildable`
    when the config is missing, refers to anything outside the allow-list, or the weights do
    not fit it."""
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

    import keras

    try:
        model = keras.models.model_from_json(json.dumps(config))
    except Exception as error:  # a config Keras itself rejects
        raise NotRebuildable(f"Keras could not rebuild the model: {error}") from error
    expected = [tuple(w.shape) for w in model.weights]
    received = [tuple(w.shape) for w in weights]
    if expected != received:
        raise NotRebuildable(
            f"the weights do not fit the model: expected shapes {expected}, received {received}"
        )
    model.set_weights(
        [np.asarray(w, dtype=v.dtype) for w, v in zip(weights, model.weights, strict=True)]
    )
    return model
