"""Probes about text: string tensors, ``TextVectorization`` layers, text pipelines, files.

Strings cross to the grading process as numpy unicode arrays (a ``tf.string`` tensor holds
bytes, which :func:`~course.probes.values.to_plain` would refuse). A vectorizer the grader
needs as an argument is described by :func:`vectorizer_spec` and built here, in the worker,
so a pipeline can be judged apart from the submission's own vectorizer. Nothing here judges:
vocabularies, token ids, weights and file contents go back as they are.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn, ProbeError
from course.probes.markers import CALL_KEY, FUNCTION_KEY, MODEL_KEY, VECTORIZER_KEY
from course.probes.markers import vectorizer_spec as vectorizer_spec  # week 6's graders
from course.probes.models import describe_history, describe_model, json_safe, require_model
from course.probes.pipelines import describe as describe_dataset
from course.probes.values import get_callable, prepare_arguments, to_plain

#: What :func:`written_files` reads back at most: files, and bytes per file.
MAX_FILES = 32
MAX_FILE_BYTES = 16 << 20
_SPECIAL_FORMS = ({CALL_KEY}, {FUNCTION_KEY}, {MODEL_KEY})


class BadRequest(ProbeError):
    """The grader asked for something this probe refuses (a grader bug, not the student's)."""

    kind = "internal"


def _build_vectorizer(spec: dict[str, Any]) -> Any:
    import keras

    return keras.layers.TextVectorization(
        vocabulary=list(spec["vocabulary"]),
        output_sequence_length=int(spec["sequence_length"]),
    )


def _prepare(value: Any, *, module: ModuleType, as_tensors: bool = False) -> Any:
    """Grader arguments as the submission receives them, vectorizer specs included."""
    if isinstance(value, dict) and set(value) == {VECTORIZER_KEY}:
        return _build_vectorizer(value[VECTORIZER_KEY])
    if isinstance(value, list):
        return [_prepare(item, module=module, as_tensors=as_tensors) for item in value]
    if isinstance(value, dict) and set(value) not in _SPECIAL_FORMS:
        return {
            key: _prepare(item, module=module, as_tensors=as_tensors) for key, item in value.items()
        }
    return prepare_arguments(value, as_tensors=as_tensors, module=module)


def _call(
    module: ModuleType,
    function: str,
    args: list[Any] | None,
    kwargs: dict[str, Any] | None,
    *,
    as_tensors: bool = False,
) -> Any:
    target = get_callable(module, function)
    positional = _prepare(list(args or []), module=module, as_tensors=as_tensors)
    keywords = _prepare(dict(kwargs or {}), module=module, as_tensors=as_tensors)
    return target(*positional, **keywords)


def strings_to_plain(value: Any, *, what: str) -> Any:
    """A string tensor or array as a numpy unicode array (UTF-8, undecodable bytes replaced);
    anything else as :func:`~course.probes.values.to_plain` gives it."""
    import tensorflow as tf

    if isinstance(value, tf.Tensor) and value.dtype == tf.string:
        value = value.numpy()
    if isinstance(value, np.ndarray) and value.dtype.kind in "OS":
        flat = [
            item.decode("utf-8", errors="replace") if isinstance(item, bytes) else str(item)
            for item in value.reshape(-1).tolist()
        ]
        return np.array(flat, dtype=str).reshape(value.shape)
    return to_plain(value, what=what)


def _dtype_name(value: Any) -> str | None:
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return None
    return str(getattr(dtype, "name", dtype))


@probe("text.strings")
def strings(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Call ``function`` with array arguments as tensors (strings as ``tf.string``).

    Returns ``{"class": the returned object's class name, "dtype": its dtype name or None,
    "value": the value, strings as a numpy unicode array}``.
    """
    result = _call(module, function, args, kwargs, as_tensors=True)
    return {
        "class": type(result).__name__,
        "dtype": _dtype_name(result),
        "value": strings_to_plain(result, what=f"the value returned by {function}()"),
    }


@probe("text.outcome")
def outcome(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Call ``function``; report what it returned or which exception it raised.

    Returns ``{"value": plain value}`` or ``{"raised": {"class_chain": [...], "message":
    str}}``. ``NotImplementedError`` is not caught: an unfinished exercise stays unfinished.
    """
    try:
        result = _call(module, function, args, kwargs)
    except NotImplementedError:
        raise
    except Exception as error:
        chain = [cls.__name__ for cls in type(error).__mro__]
        return {"raised": {"class_chain": chain, "message": str(error)[:500]}}
    return {"value": to_plain(result, what=f"the value returned by {function}()")}


def require_vectorizer(value: Any, *, what: str) -> Any:
    """``value`` if it is a ``keras.layers.TextVectorization``, else :class:`InvalidReturn`."""
    import keras

    if not isinstance(value, keras.layers.TextVectorization):
        raise InvalidReturn(
            f"{what} returned a {type(value).__name__}, not a keras.layers.TextVectorization"
        )
    return value


def describe_vectorizer(vectorizer: Any, *, inputs: list[str] | None = None) -> dict[str, Any]:
    """Vocabulary (special tokens included), config and, for ``inputs``, the layer's output."""
    import tensorflow as tf

    try:
        config = json_safe(vectorizer.get_config())
    except Exception:
        config = None
    outputs = None
    if inputs is not None:
        outputs = to_plain(vectorizer(tf.constant(inputs)), what="the vectorizer's output")
    return {
        "vocabulary": [str(token) for token in vectorizer.get_vocabulary()],
        "config": config,
        "outputs": outputs,
    }


@probe("text.vectorizer")
def vectorizer(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    inputs: list[str] | None = None,
) -> dict[str, Any]:
    """Call ``function``, which returns a ``TextVectorization`` layer, and describe it.

    Returns ``{"vocabulary": [str, ...], "config": the layer's config as JSON data,
    "outputs": the layer applied to the strings ``inputs`` (or None)}``.
    """
    layer = require_vectorizer(_call(module, function, args, kwargs), what=f"{function}()")
    return describe_vectorizer(layer, inputs=inputs)


@probe("text.dataset")
def dataset(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Describe the ``tf.data.Dataset`` that ``function`` returns, as ``dataset.describe`` does.

    Unlike ``dataset.describe``, arguments may be :func:`vectorizer_spec` layers and
    ``call_spec`` results of the submission's own functions. A dataset whose elements hold
    ``tf.string`` tensors is refused (:class:`InvalidReturn`): its batches are not numbers.
    """
    positional = _prepare(list(args or []), module=module)
    keywords = _prepare(dict(kwargs or {}), module=module)
    target = get_callable(module, function)

    def produce() -> Any:
        import tensorflow as tf

        result = target(*positional, **keywords)
        if isinstance(result, tf.data.Dataset) and any(
            getattr(spec, "dtype", None) == tf.string
            for spec in tf.nest.flatten(result.element_spec)
        ):
            raise InvalidReturn(
                f"{function}() returned a dataset of strings (element spec "
                f"{result.element_spec}); turn the strings into token ids inside the pipeline"
            )
        return result

    bound = ModuleType(module.__name__)
    setattr(bound, function, produce)
    description: dict[str, Any] = describe_dataset(bound, function=function)
    return description


@probe("text.train")
def train(
    module: ModuleType,
    *,
    texts: list[str],
    labels: list[str],
    validation_texts: list[str],
    max_tokens: int,
    sequence_length: int,
    embedding_dim: int,
    vectorizer_builder: str,
    label_encoder: str,
    dataset_maker: str,
    builder: str,
    trainer: str,
) -> dict[str, Any]:
    """Run the submission's text pipeline end to end on the grader's training split.

    ``vectorizer_builder(texts, max_tokens, sequence_length)`` -> layer;
    ``label_encoder(labels)`` -> targets; ``dataset_maker(texts, targets, layer)`` ->
    dataset; ``builder(vocabulary size, embedding_dim, sequence_length)`` -> model;
    ``trainer(model, dataset)`` -> History. Returns ``{"model": describe_model(...),
    "history": ..., "vocabulary": [str, ...], "validation_ids": the layer applied to
    ``validation_texts``}`` (texts only: the grader keeps their labels).
    """
    import tensorflow as tf

    layer = require_vectorizer(
        get_callable(module, vectorizer_builder)(list(texts), max_tokens, sequence_length),
        what=f"{vectorizer_builder}()",
    )
    targets = get_callable(module, label_encoder)(list(labels))
    data = get_callable(module, dataset_maker)(list(texts), targets, layer)
    vocabulary = [str(token) for token in layer.get_vocabulary()]
    model = require_model(
        get_callable(module, builder)(len(vocabulary), embedding_dim, sequence_length),
        what=f"{builder}()",
    )
    history = get_callable(module, trainer)(model, data)
    validation_ids = to_plain(
        layer(tf.constant(list(validation_texts))), what="the vectorizer's output"
    )
    return {
        "model": describe_model(model),
        "history": describe_history(history, what=f"{trainer}()"),
        "vocabulary": vocabulary,
        "validation_ids": validation_ids,
    }


def read_folder(directory: str) -> dict[str, Any]:
    """The regular files under ``directory``, relative paths as keys, as UTF-8 text.

    Each file is ``{"text": str, "utf8": bool, "bytes": size, "truncated": bool}``: bytes
    that are not UTF-8 are replaced (``utf8`` says so), and at most :data:`MAX_FILE_BYTES`
    of a file are read (``truncated`` says when it was cut). Symbolic links are skipped;
    at most :data:`MAX_FILES` files are read, in sorted order.
    """
    folder = Path(directory)
    files: dict[str, Any] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if len(files) >= MAX_FILES:
                break
            if not path.is_file() or path.is_symlink():
                continue
            size = path.stat().st_size
            with open(path, "rb") as stream:
                data = stream.read(MAX_FILE_BYTES)
            try:
                text, utf8 = data.decode("utf-8"), True
            except UnicodeDecodeError:
                text, utf8 = data.decode("utf-8", errors="replace"), False
            files[path.relative_to(folder).as_posix()] = {
                "text": text,
                "utf8": utf8,
                "bytes": size,
                "truncated": size > MAX_FILE_BYTES,
            }
    return {"exists": folder.is_dir(), "files": files}


@probe("text.files")
def written_files(
    module: ModuleType,
    *,
    function: str,
    directory: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Call ``function`` (which writes files), then read back the folder ``directory``.

    ``directory`` is relative to the worker's folder. Returns ``{"exists": bool, "files":
    {relative path: {"text", "utf8", "bytes", "truncated"}}}``; see :func:`read_folder`.
    Arguments may be ``model_spec`` models, ``call_spec`` results and vectorizer specs.
    """
    if Path(directory).is_absolute() or ".." in Path(directory).parts:
        raise BadRequest(f"the folder {directory!r} is not inside the worker's folder")
    _call(module, function, args, kwargs)
    return read_folder(directory)
