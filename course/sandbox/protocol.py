"""The wire format between the grading process and the worker: JSON plus numpy arrays.

Only two kinds of thing ever cross the boundary:

* JSON values (``None``, ``bool``, ``int``, ``float``, ``str``, lists and string-keyed dicts);
* numpy arrays of plain numeric, boolean or fixed-width string dtypes, stored in an ``.npz``
  archive and loaded with ``allow_pickle=False``.

A message is one frame: a magic tag, the length of the JSON part, the length of the ``.npz``
part, then both parts. Inside the JSON, an array is a reference ``{"__array__": index}``.
Decoding never executes anything from the payload, and rejects object dtypes, oversized
frames and malformed references with a :class:`ProtocolError`.

The worker's replies are *signed*: the grading process gives each worker a random key
before the submission is imported, and every reply carries an HMAC-SHA256 of its bytes. The
submission can write to the reply pipe (it shares the worker's process), but without the key
it cannot forge a reply. A signed frame also carries a *trailer*, plain UTF-8 text the
worker's integrity watch writes (see :mod:`course.sandbox.integrity`), outside the JSON so
that a submission that tampers with the JSON encoder cannot drop it::

    "CRS2" | len(JSON) | len(npz) | len(trailer) | HMAC | JSON | npz | trailer
"""

from __future__ import annotations

import io
import json
import os
import select
import struct
import time
from _hashlib import hmac_digest as _hmac_digest
from hmac import compare_digest as _compare_digest
from typing import Any

import numpy as np

MAGIC = b"CRS1"
SIGNED_MAGIC = b"CRS2"
_HEADER = struct.Struct(">4sQQ")
_SIGNED_HEADER = struct.Struct(">4sQQQ")
MAC_BYTES = 32
KEY_BYTES = 32
#: Largest frame either side accepts: the full Fashion-MNIST train split is ~47 MB.
MAX_FRAME_BYTES = 1 << 30
_ARRAY_KEY = "__array__"
_ALLOWED_KINDS = frozenset("biufcUS")


class ProtocolError(Exception):
    """A frame that is malformed, too large, or holds something other than plain data."""


class ChannelClosed(ProtocolError):
    """The other side closed its end of the channel (usually: the process ended)."""


class ChannelTimeout(ProtocolError):
    """No complete frame arrived before the deadline."""


class ForgedFrame(ProtocolError):
    """A signed frame whose signature does not match: the worker did not write it."""


def encode(value: Any) -> bytes:
    """Serialise ``value`` (JSON data with numpy arrays inside) into one frame."""
    arrays: list[np.ndarray] = []
    document = _strip_arrays(value, arrays)
    try:
        text = json.dumps(document, allow_nan=True).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise ProtocolError(f"value is not plain data: {error}") from error
    buffer = io.BytesIO()
    if arrays:
        np.savez(buffer, *arrays)
    blob = buffer.getvalue()
    return _HEADER.pack(MAGIC, len(text), len(blob)) + text + blob


def decode(frame: bytes) -> Any:
    """Parse one frame produced by :func:`encode`, trusting nothing in it."""
    if len(frame) < _HEADER.size:
        raise ProtocolError("frame shorter than its header")
    magic, text_size, blob_size = _HEADER.unpack_from(frame)
    if magic != MAGIC or _HEADER.size + text_size + blob_size != len(frame):
        raise ProtocolError("frame header does not match its contents")
    text = frame[_HEADER.size : _HEADER.size + text_size]
    blob = frame[_HEADER.size + text_size :]
    try:
        document = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError(f"frame JSON is invalid: {error}") from error
    arrays = _load_arrays(blob) if blob else []
    return _restore_arrays(document, arrays)


def write_frame(fd: int, value: Any) -> None:
    """Encode ``value`` and write the whole frame to the file descriptor ``fd``."""
    data = memoryview(encode(value))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_frame(fd: int, *, timeout: float | None = None) -> Any:
    """Read and decode one frame from ``fd``, waiting at most ``timeout`` seconds in all."""
    deadline = None if timeout is None else time.monotonic() + timeout
    header = _read_exactly(fd, _HEADER.size, deadline)
    magic, text_size, blob_size = _HEADER.unpack(header)
    if magic != MAGIC:
        raise ProtocolError("frame does not start with the protocol tag")
    if text_size + blob_size > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {text_size + blob_size} bytes exceeds the limit")
    body = _read_exactly(fd, text_size + blob_size, deadline)
    return decode(header + body)


def mac(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA256 of ``data`` (OpenSSL's, through C: nothing a submission can patch)."""
    return _hmac_digest(key, data, "sha256")


def sign(frame: bytes, trailer: bytes, key: bytes, *, digest: Any = None) -> bytes:
    """``frame`` (from :func:`encode`) as a signed frame carrying ``trailer``."""
    _, text_size, blob_size = _HEADER.unpack_from(frame)
    body = frame[_HEADER.size :] + trailer
    header = _SIGNED_HEADER.pack(SIGNED_MAGIC, text_size, blob_size, len(trailer))
    return header + (digest or mac)(key, header + body) + body


def read_signed(fd: int, *, key: bytes, timeout: float | None = None) -> tuple[Any, str]:
    """Read one signed frame: its value and its trailer. :class:`ForgedFrame` when the
    signature is wrong or the frame is not signed."""
    deadline = None if timeout is None else time.monotonic() + timeout
    header = _read_exactly(fd, _SIGNED_HEADER.size, deadline)
    magic, text_size, blob_size, trailer_size = _SIGNED_HEADER.unpack(header)
    if magic != SIGNED_MAGIC:
        raise ForgedFrame("an unsigned frame where a signed reply was expected")
    size = text_size + blob_size + trailer_size
    if size > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {size} bytes exceeds the limit")
    signature = _read_exactly(fd, MAC_BYTES, deadline)
    body = _read_exactly(fd, size, deadline)
    if not _compare_digest(signature, mac(key, header + body)):
        raise ForgedFrame("a reply whose signature does not match")
    trailer = body[text_size + blob_size :].decode("utf-8", errors="replace")
    frame = _HEADER.pack(MAGIC, text_size, blob_size) + body[: text_size + blob_size]
    return decode(frame), trailer


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            raise ChannelTimeout("no reply before the time limit")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("the channel was closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _strip_arrays(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _ALLOWED_KINDS:
            raise ProtocolError(f"arrays of dtype {value.dtype} cannot cross the boundary")
        arrays.append(value)
        return {_ARRAY_KEY: len(arrays) - 1}
    if isinstance(value, np.generic):
        return _strip_arrays(np.asarray(value), arrays)
    if isinstance(value, dict):
        if _ARRAY_KEY in value:
            raise ProtocolError(f"the key {_ARRAY_KEY!r} is reserved")
        stripped = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ProtocolError(f"dict keys must be strings, not {type(key).__name__}")
            stripped[key] = _strip_arrays(item, arrays)
        return stripped
    if isinstance(value, list | tuple):
        return [_strip_arrays(item, arrays) for item in value]
    if value is None or type(value) in (bool, int, float, str):
        return value
    raise ProtocolError(f"values of type {type(value).__name__} cannot cross the boundary")


def _load_arrays(blob: bytes) -> list[np.ndarray]:
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            arrays = [archive[f"arr_{index}"] for index in range(len(archive.files))]
    except (ValueError, KeyError, OSError, EOFError) as error:
        raise ProtocolError(f"array payload is invalid: {error}") from error
    for array in arrays:
        if array.dtype.kind not in _ALLOWED_KINDS:
            raise ProtocolError(f"array of dtype {array.dtype} refused")
    return arrays


def _restore_arrays(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, dict):
        if set(value) == {_ARRAY_KEY}:
            index = value[_ARRAY_KEY]
            if type(index) is not int or not 0 <= index < len(arrays):
                raise ProtocolError(f"array reference {index!r} is invalid")
            return arrays[index]
        return {key: _restore_arrays(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore_arrays(item, arrays) for item in value]
    return value
