"""File helpers shared by the dataset loaders: hashes, atomic writes, cache dirs, IDX files.

Nothing here knows about a particular dataset. IDX is the format of the original MNIST and
Fashion-MNIST files (http://yann.lecun.com/exdb/mnist/, "file formats" at the bottom).
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import struct
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

_CHUNK = 1 << 20
_IDX_UNSIGNED_BYTE = 0x08


class IdxFormatError(ValueError):
    """A file is not the IDX file its caller expects (bad gzip, magic number or dimensions)."""


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of_arrays(arrays: Iterable[NDArray[np.generic]]) -> str:
    """Return a hex sha256 of the arrays' dtypes, shapes and bytes, in order.

    Unlike the sha256 of an ``.npz`` file (a zip archive with timestamps), this digest depends
    only on the contents, so it can be pinned.
    """
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary stream whose contents replace ``path`` only if the block succeeds.

    The data goes to a temporary file in the same directory, renamed over ``path`` at the end,
    so another process never sees a half-written file. On error the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
        os.chmod(temporary, 0o644)  # mkstemp makes it private (0600); a cache file needn't be
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def course_cache_dir() -> Path:
    """Return the course's cache directory: ``$COURSE_CACHE``, ``$XDG_CACHE_HOME/course``
    or ``~/.cache/course`` (the first that is set)."""
    if explicit := os.environ.get("COURSE_CACHE"):
        return Path(explicit).expanduser()
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg).expanduser() / "course"
    return Path.home() / ".cache" / "course"


def keras_home() -> Path:
    """Return the directory Keras uses for its config and caches, found the way Keras does.

    ``$KERAS_HOME`` if set, else ``~/.keras``; ``/tmp/.keras`` when the home directory (or
    an existing Keras home) is not writable, which is what ``keras.utils.get_file`` then uses.
    """
    if explicit := os.environ.get("KERAS_HOME"):
        base = Path(explicit).expanduser()
    else:
        home = Path.home()
        base = home / ".keras" if os.access(home, os.W_OK) else Path("/tmp/.keras")
    if base.exists() and not os.access(base, os.W_OK):
        return Path("/tmp/.keras")
    return base


def read_idx_gz(path: Path, *, ndim: int) -> NDArray[np.uint8]:
    """Read a gzipped IDX file of unsigned bytes with ``ndim`` dimensions.

    Raises ``IdxFormatError`` if the file is not gzip, if its magic number is not
    ``0x0000 08 <ndim>``, or if the payload size differs from the product of the dimensions
    in its header. The returned array is read-only (it views the decompressed bytes).
    """
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise IdxFormatError(f"{path.name}: not a readable gzip file ({error})") from error
    return parse_idx(raw, ndim=ndim, name=path.name)


def parse_idx(raw: bytes, *, ndim: int, name: str = "IDX data") -> NDArray[np.uint8]:
    """Parse uncompressed IDX bytes of unsigned bytes with ``ndim`` dimensions (see above)."""
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IdxFormatError(f"{name}: {len(raw)} bytes is shorter than an IDX header")
    (magic,) = struct.unpack(">I", raw[:4])
    expected_magic = (_IDX_UNSIGNED_BYTE << 8) | ndim
    if magic != expected_magic:
        raise IdxFormatError(
            f"{name}: magic number 0x{magic:08x}, expected 0x{expected_magic:08x} "
            f"(unsigned bytes, {ndim} dimension{'s' if ndim > 1 else ''})"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:header_size])
    payload = len(raw) - header_size
    if payload != math.prod(dims):
        raise IdxFormatError(
            f"{name}: header dimensions {dims} need {math.prod(dims)} bytes of data, "
            f"the file has {payload}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)


def idx_bytes(array: NDArray[np.uint8]) -> bytes:
    """Return ``array`` encoded as uncompressed IDX (the inverse of ``parse_idx``)."""
    header = struct.pack(f">I{array.ndim}I", (_IDX_UNSIGNED_BYTE << 8) | array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
