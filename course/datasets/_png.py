"""A minimal PNG encoder (8-bit greyscale or RGB, no interlace), standard library only.

Enough to write dataset images as files that any image reader opens
(``keras.utils.image_dataset_from_directory``, PIL, browsers). Format: the PNG specification,
https://www.w3.org/TR/png/ (chunk layout in section 5, IHDR in 11.2.2, filters in 7.3).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from numpy.typing import NDArray

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPES = {1: 0, 3: 2}  # channels -> PNG colour type (0 greyscale, 2 truecolour)


def encode_png(image: NDArray[np.uint8], *, level: int = 6) -> bytes:
    """Return ``image`` as PNG bytes: uint8 of shape ``(height, width)`` or ``(h, w, 1 or 3)``.

    Each row is stored with filter type 0 (none) and the whole image compressed with zlib at
    ``level``. Raises ``ValueError`` for another dtype, shape or an empty image.
    """
    if image.dtype != np.uint8:
        raise ValueError(f"PNG encoder: expected a uint8 image, got {image.dtype}")
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    if image.ndim != 3 or image.shape[2] not in _COLOUR_TYPES or 0 in image.shape:
        raise ValueError(
            f"PNG encoder: expected shape (height, width) or (height, width, 1 or 3), "
            f"got {image.shape}"
        )
    height, width, channels = image.shape
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[channels], 0, 0, 0)
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # column 0: filter type 0
    rows[:, 1:] = image.reshape(height, width * channels)
    return b"".join(
        (
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    """Return one PNG chunk: length, type, data, CRC-32 of type and data."""
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
