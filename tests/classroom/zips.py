"""LMS downloads for the import tests: zip archives built whole, then damaged byte by byte.

Offsets are those of the zip format (APPNOTE 4.3.7 and 4.3.12): in a member's local header
the flags are at 6, the CRC-32 at 14, the sizes at 18 (compressed) and 22; in its central
directory entry the flags are at 8, the method at 10, the CRC-32 at 16, the sizes at 20
and 24, the local header's offset at 42.
"""

from __future__ import annotations

import io
import struct
import zipfile

#: How :func:`damage` can break a member, and the words import-zip must refuse it with.
DAMAGE = {
    "crc": r"is damaged \(Bad CRC-32",
    "data": r"is damaged: it cannot be unpacked \(error: Error -3",
    "smaller": r"is damaged \(Bad CRC-32",
    "larger": "unpacks to 320 bytes, not the 1,000 its header declares",
    "cut": "is damaged: it cannot be unpacked",
    "encrypted": "is encrypted",
    "deflate64": "compression method 9, which import-zip does not unpack",
    "strong": "zipfile does not support strong encryption",
}
ADA = "ada_week1.py"
ADA_TEXT = b"def double(x):\n    return 2 * x\n" * 10  # 320 bytes


def build(*entries: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive holding ``entries`` (name, bytes), in that order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as writing:
        for name, data in entries:
            writing.writestr(name, data)
    return buffer.getvalue()


def damage(data: bytes, member: str, how: str) -> bytes:
    """``data`` with ``member`` broken as :data:`DAMAGE` names it."""
    broken = bytearray(data)
    central = _central_header(broken, member)
    local = struct.unpack_from("<I", broken, central + 42)[0]
    name_length, extra_length = struct.unpack_from("<HH", broken, local + 26)
    start = local + 30 + name_length + extra_length  # the member's (compressed) data
    if how == "crc":
        struct.pack_into("<I", broken, central + 16, 0xDEADBEEF)
    elif how == "data":
        broken[start] ^= 0xFF  # the first deflate block's header
    elif how in ("smaller", "larger"):
        declared = 10 if how == "smaller" else 1_000
        struct.pack_into("<I", broken, central + 24, declared)
        struct.pack_into("<I", broken, local + 22, declared)
    elif how == "cut":
        del broken[start + 2 : start + 6]
    elif how == "encrypted":
        struct.pack_into("<H", broken, central + 8, 0x1)
        struct.pack_into("<H", broken, local + 6, 0x1)
    elif how == "strong":
        struct.pack_into("<H", broken, central + 8, 0x40)
    elif how == "deflate64":
        struct.pack_into("<H", broken, central + 10, 9)
    else:
        raise ValueError(f"unknown damage {how!r}")
    return bytes(broken)


def _central_header(data: bytearray, member: str) -> int:
    offset = data.index(b"PK\x01\x02")
    while (
        struct.unpack_from("<H", data, offset + 28)[0] != len(member.encode())
        or bytes(data[offset + 46 : offset + 46 + len(member.encode())]) != member.encode()
    ):
        offset = data.index(b"PK\x01\x02", offset + 1)
    return offset
