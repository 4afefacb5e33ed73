"""The worker process: imports one submission and answers probe requests about it.

Run as ``python -I -m course.sandbox.worker --submission PATH --read-fd N --write-fd M``,
with ``--logical-cpus K`` to give TensorFlow K logical CPU devices (see
:func:`configure_logical_cpus`).
The submission is imported under the module name ``submission`` from its file; its folder is
not put on ``sys.path`` of any other process. Each request names a probe from
:mod:`course.probes` and carries plain arguments; the reply is plain data or a description of
the exception the submission raised. Nothing but :mod:`course.sandbox.protocol` frames goes
to the grading process.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import gc
import importlib.util
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from course.sandbox import integrity, protocol
from course.sandbox.protocol import ChannelClosed, read_frame

_MESSAGE_LIMIT = 2_000
#: What an operating-system error means inside the sandbox, for the student.
_LIMIT_ERRORS = {
    errno.EFBIG: "a file grew past the sandbox's limit on file size",
    errno.ENOSPC: "the sandbox's scratch space is full",
    errno.EMFILE: "too many files are open at once",
    errno.EAGAIN: "the sandbox's limit on processes and threads was reached",
    errno.EROFS: "only the scratch folder (the current folder and /tmp) can be written",
    errno.EACCES: "only the scratch folder (the current folder and /tmp) can be written",
    errno.ENETUNREACH: "the sandbox has no network",
}
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PR_SET_DUMPABLE = 4


def main(argv: list[str] | None = None) -> int:
    """Import the submission, report whether that worked, then serve requests until EOF."""
    parser = argparse.ArgumentParser(prog="course.sandbox.worker")
    parser.add_argument("--submission", type=Path, required=True)
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--logical-cpus", type=int, default=None)
    parser.add_argument("--no-tensorflow", action="store_true")
    options = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.dont_write_bytecode = True  # never leave __pycache__ beside a submission
    _forbid_memory_access()
    _make_private_folders()
    # The first frame is the key that signs every reply; read before any submission code.
    opening = read_frame(options.read_fd, timeout=60)
    key = bytes.fromhex(opening["key"]) if isinstance(opening, dict) else b""
    findings: list[Callable[[], list[str]]] = []
    send = _signer(options.write_fd, key, findings)
    # Nothing of the submission has run yet: a worker that ends before this message is a
    # sandbox that could not start, never the student's fault.
    send({"boot": True})
    # ``-I`` ignores PYTHONUNBUFFERED: flush what the submission prints as it prints it, so
    # the last lines survive a kill and can be shown with a time-out.
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    path: Path = options.submission
    if options.logical_cpus is not None:
        try:
            configure_logical_cpus(options.logical_cpus)
        except Exception as error:  # the grading set-up is at fault, not the submission
            message = f"could not set up {options.logical_cpus} logical CPUs: {_safe_str(error)}"
            send(
                {
                    "ok": False,
                    "error": {
                        "kind": "internal",
                        "type": type(error).__name__,
                        "message": shorten(message),
                        "traceback": "",
                    },
                },
            )
            return 0
    from course.probes import load_all, run_probe

    load_all()
    watched = [] if options.no_tensorflow else watched_objects()  # imports TensorFlow
    # Everything imported so far (TensorFlow's hundreds of thousands of objects) is moved out
    # of the collector's reach: the collection after each request then walks only what the
    # submission made, in milliseconds instead of about 0.3 s per request.
    gc.collect()
    gc.freeze()
    findings.append(
        integrity.install(submission=str(path), trusted=trusted_folders(), watched=watched)
    )
    imported = _on_submission_thread(lambda: _import_submission(path), path)
    if "error" in imported:
        send({"ok": False, "error": imported["error"]})
        return 0
    module = imported["value"]
    send({"ok": True})

    while True:
        try:
            request = read_frame(options.read_fd)
        except ChannelClosed:
            return 0
        if not isinstance(request, dict) or request.get("probe") == "__shutdown__":
            return 0
        name = str(request.get("probe"))
        args = request.get("args") or {}
        seed = int(request.get("seed", 0))
        answered = _on_submission_thread(
            functools.partial(run_probe, module, name=name, args=args, seed=seed), path
        )
        if "error" in answered:
            send({"ok": False, "error": answered["error"]})
        else:
            send({"ok": True, "value": answered["value"]})


def _on_submission_thread(work: Callable[[], Any], path: Path) -> dict[str, Any]:
    """Run ``work`` (anything that runs the submission's code) on a thread of its own, and
    describe its exception there too (``str(error)`` can run the submission's code).

    The main thread, which holds the signing key and the integrity watch, then never runs
    the submission's code: a frame the submission gets hold of leads (through ``f_back``)
    only to this thread's frames, and a signal handler (the one way to run code on the
    main thread) cannot be installed from here. Garbage is collected here before returning,
    so that a finaliser of the submission's runs on this thread, not the main one.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # the submission may raise anything, SystemExit too
            try:
                box["error"] = describe_exception(error, path)
            except BaseException:  # an exception whose description itself fails
                box["error"] = {
                    "kind": "exception",
                    "type": "Exception",
                    "message": "an exception that could not be described",
                    "traceback": "",
                }
        finally:
            gc.collect()

    thread = threading.Thread(target=run, name="submission", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        box["error"] = _plain_description(box["error"])
    return box


def _plain_description(error: Any) -> dict[str, str]:
    """``error`` as exact ``str`` values only (a submission's string subclass could run code
    on the main thread)."""
    fields = ("kind", "type", "message", "traceback")
    if type(error) is not dict:
        return {field: "" for field in fields}
    return {field: error[field] if type(error.get(field)) is str else "" for field in fields}


def _signer(
    fd: int, key: bytes, findings: list[Callable[[], list[str]]]
) -> Callable[[dict[str, Any]], None]:
    """The worker's only way to reply: each frame signed with ``key``, the integrity
    findings in its trailer. Everything it calls on the key is captured here, before the
    submission is imported, and is C code the submission cannot replace."""
    from _hashlib import hmac_digest

    def digest(secret: bytes, data: bytes) -> bytes:
        return hmac_digest(secret, data, "sha256")

    write, pack = os.write, protocol.sign
    separator, encode_frame, join = "\n", protocol.encode, str.join

    collecting, pause, resume = gc.isenabled, gc.disable, gc.enable

    def send(reply: dict[str, Any]) -> None:
        # No garbage collection here: a finaliser of the submission's would run on this
        # thread, next to the key.
        was_collecting = collecting()
        pause()
        try:
            found = findings[0]() if findings else []
            trailer = join(separator, found).encode("utf-8", "replace")
            try:
                frame = encode_frame(reply)
            except Exception as error:  # the reply is not plain data
                message = f"the worker could not encode its reply ({type(error).__name__})"
                frame = encode_frame(
                    {
                        "ok": False,
                        "error": {
                            "kind": "broken",
                            "type": "",
                            "message": message,
                            "traceback": "",
                        },
                    }
                )
            data = memoryview(pack(frame, trailer, key, digest=digest))
            while data:
                data = data[write(fd, data) :]
        finally:
            if was_collecting:
                resume()

    return send


def _forbid_memory_access() -> None:
    """Make the worker non-dumpable (Linux): no other process of the same user, such as one
    the submission starts, may read or write its memory through /proc."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def trusted_folders() -> tuple[str, ...]:
    """Where trusted code lives: the Python installation and the course's worker (read-only
    in the sandbox). Code from anywhere else is the submission's."""
    import site
    import sysconfig

    import course

    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
    folders.update(
        value
        for key, value in sysconfig.get_paths().items()
        if key in ("stdlib", "platstdlib", "purelib", "platlib")
    )
    folders.add(str(Path(course.__file__).resolve().parent))
    return tuple(sorted(os.path.realpath(folder) for folder in folders if folder))


def watched_objects() -> list[Any]:
    """The library objects probes rely on to observe the submission, snapshot against
    tampering. TensorFlow and Keras are imported here, before the submission (which imports
    them anyway), unless the week's ``worker.toml`` says ``tensorflow = false``."""
    import json.encoder
    import zipfile

    import keras
    import numpy
    import numpy.lib._npyio_impl
    import numpy.lib.format
    import tensorflow as tf

    return [
        # What the main thread runs to encode a reply (a patched one would run there).
        json,
        json.encoder,
        numpy.lib._npyio_impl,
        numpy.lib.format,
        zipfile,
        numpy,
        tf,
        tf.data,
        tf.distribute,
        tf.config,
        keras,
        keras.layers,
        keras.ops,
        keras.utils,
        keras.callbacks,
        keras.losses,
        keras.metrics,
        keras.optimizers,
        keras.Model,
        keras.Sequential,
        keras.layers.Layer,
        keras.callbacks.Callback,
        keras.losses.Loss,
        keras.metrics.Metric,
        keras.optimizers.Optimizer,
        tf.Variable,
        tf.data.Dataset,
        type(tf.function(lambda: None)),
        tf.distribute.Strategy,
    ]


def _make_private_folders() -> None:
    """Create the worker's HOME and TMPDIR inside its scratch space (the sandbox gives it an
    empty one, with ``/tmp`` pointing into it)."""
    for name in ("HOME", "TMPDIR"):
        folder = os.environ.get(name)
        if folder:
            os.makedirs(folder, exist_ok=True)


def configure_logical_cpus(count: int) -> None:
    """Split the first physical CPU into ``count`` logical TensorFlow devices.

    ``tf.distribute.MirroredStrategy`` then finds ``count`` replicas on a machine without
    GPUs (``/device:CPU:0``, ``/device:CPU:1``...). GPUs are left as they are. TensorFlow
    fixes its devices at its first op, so this runs before the submission is imported.
    """
    if count < 1:
        raise ValueError(f"logical CPUs must be at least 1, not {count}")
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    if not cpus:
        raise RuntimeError("TensorFlow sees no CPU")
    tf.config.set_logical_device_configuration(
        cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
    )


def _import_submission(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("submission", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path.name}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    spec.loader.exec_module(module)
    return module


def describe_exception(error: BaseException, submission: Path) -> dict[str, str]:
    """Plain description of ``error`` with a traceback cut down to the submission's frames."""
    from course.probes.errors import ProbeError

    if isinstance(error, ProbeError):
        kind = error.kind
    elif isinstance(error, MemoryError):
        kind = "out_of_memory"
    elif isinstance(error, NotImplementedError):
        kind = "not_implemented"
    elif isinstance(error, SyntaxError):
        kind = "syntax"
    else:
        kind = "exception"
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename) == submission
    ]
    lines = traceback.format_list(frames)
    if isinstance(error, SyntaxError) and error.lineno is not None:
        lines.append(f"  line {error.lineno}: {(error.text or '').strip()}\n")
    message = library_message(
        _ANSI_ESCAPE.sub("", _safe_str(error)),
        error_type=type(error).__name__,
        submission=submission,
        seen={(frame.lineno, frame.name) for frame in frames},
    )
    limit = _LIMIT_ERRORS.get(error.errno or 0) if isinstance(error, OSError) else None
    if limit is not None:
        message = f"{message} ({limit})"
    return {
        "kind": kind,
        "type": type(error).__name__,
        "message": shorten(message),
        "traceback": "".join(lines)[-_MESSAGE_LIMIT:],
    }


#: What marks a message as TensorFlow's or Keras's, with their own frame listings in it.
_LIBRARY_MARKERS = (
    "Detected at node",
    "in user code:",
    "Exception encountered when calling",
    "{{function_node",
)
_FRAME = re.compile(r'^(?P<indent>\s*)File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<name>\S+)')
#: Lines that only introduce a frame listing or name a graph node.
_INTRODUCTION = re.compile(
    r"^(Graph execution error:|Detected at node .* defined at \(most recent call last\):"
    r"|in user code:|\[\[\{\{node .*\}\}\]\].*)$"
)
_KERAS_CALL = re.compile(r"^Exception encountered when calling (?P<what>.+?)\.?$")
_KERAS_ARGUMENTS = re.compile(r"^Arguments received by .*:$")
_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
_INFERENCE_OP = re.compile(r"\s*\[Op:__inference_\w+\]")


def library_message(
    message: str, *, error_type: str, submission: Path, seen: set[tuple[int | None, str]]
) -> str:
    """TensorFlow's or Keras's error ``message`` without the library's own frames.

    A graph execution error lists every frame, through Keras's internals, where the
    failing operation was defined; a ``tf.function`` error lists the traced code; Keras
    adds the arguments a layer received. What is left is the library's own words (``Received
    a label value of 9 which is outside the valid range of [0, 1)``), the layer it happened
    in, and the submission's line that built the failing operation (inside a
    ``tf.function``) when the traceback (``seen``: its lines and functions) does not show
    that line already. Any other message is returned as it is.
    """
    if not any(marker in message for marker in _LIBRARY_MARKERS):
        return message
    lines = message.splitlines()
    kept: list[str] = []
    yours: list[tuple[int, str, str]] = []
    calling: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        frame = _FRAME.match(lines[index - 1])
        if frame is not None:
            code = ""
            if index < len(lines) and _is_code_under(lines[index], frame["indent"]):
                code = lines[index].strip()
                index += 1
            if Path(frame["path"]) == submission:
                yours.append((int(frame["line"]), frame["name"], code))
        elif _KERAS_ARGUMENTS.match(line):
            while index < len(lines) and lines[index].strip().startswith("\u2022"):
                index += 1
        elif (call := _KERAS_CALL.match(line)) is not None:
            calling.append(call["what"])
        elif line and not _INTRODUCTION.match(line):
            kept.append(line.removeprefix(f"{error_type}: "))
    text = _INFERENCE_OP.sub("", _FUNCTION_NODE.sub("", "\n".join(kept))).strip()
    if not text:
        return message
    if calling:
        text += f" (in {calling[-1]})"
    traced = [place for place in yours if (place[0], place[1]) not in seen]
    if traced:
        number, name, code = traced[-1]
        text += f"\nThe failing operation was built at your line {number}, in {name}" + (
            f": {code}" if code else ""
        )
    return text


def _is_code_under(line: str, indent: str) -> bool:
    """Whether ``line`` is the source line a traceback prints under a frame at ``indent``."""
    deeper = len(line) - len(line.lstrip()) > len(indent)
    return bool(line.strip()) and deeper and _FRAME.match(line) is None


def shorten(message: str, limit: int = _MESSAGE_LIMIT) -> str:
    """``message`` cut to about ``limit`` characters, keeping its start and its end.

    TensorFlow puts the cause of an error at the end of a long message ("Received a label
    value of 9 which is outside the valid range..."), so the end must survive.
    """
    if len(message) <= limit:
        return message
    head = limit // 4
    tail = limit - head - 5
    return f"{message[:head]}\n...\n{message[-tail:]}"


def _safe_str(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # a submission's exception whose __str__ itself raises
        return f"<{type(error).__name__} whose message could not be shown>"


if __name__ == "__main__":
    sys.exit(main())
