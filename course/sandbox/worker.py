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
import importlib.util
import os
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from course.sandbox.protocol import ChannelClosed, read_frame, write_frame

_MESSAGE_LIMIT = 2_000
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def main(argv: list[str] | None = None) -> int:
    """Import the submission, report whether that worked, then serve requests until EOF."""
    parser = argparse.ArgumentParser(prog="course.sandbox.worker")
    parser.add_argument("--submission", type=Path, required=True)
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--logical-cpus", type=int, default=None)
    options = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.dont_write_bytecode = True  # never leave __pycache__ beside a submission
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
            write_frame(
                options.write_fd,
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
    try:
        module = _import_submission(path)
    except BaseException as error:  # the submission may raise anything, SystemExit too
        write_frame(options.write_fd, {"ok": False, "error": describe_exception(error, path)})
        return 0
    write_frame(options.write_fd, {"ok": True})

    from course.probes import run_probe

    while True:
        try:
            request = read_frame(options.read_fd)
        except ChannelClosed:
            return 0
        if not isinstance(request, dict) or request.get("probe") == "__shutdown__":
            return 0
        try:
            value = run_probe(
                module,
                name=str(request.get("probe")),
                args=request.get("args") or {},
                seed=int(request.get("seed", 0)),
            )
            reply: dict[str, Any] = {"ok": True, "value": value}
            write_frame(options.write_fd, reply)
        except BaseException as error:
            reply = {"ok": False, "error": describe_exception(error, path)}
            write_frame(options.write_fd, reply)


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
    return {
        "kind": kind,
        "type": type(error).__name__,
        "message": shorten(_ANSI_ESCAPE.sub("", _safe_str(error))),
        "traceback": "".join(lines)[-_MESSAGE_LIMIT:],
    }


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
