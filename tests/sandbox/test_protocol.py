"""The wire format lets only JSON data and plain numeric arrays through."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from course.sandbox.protocol import (
    ChannelClosed,
    ChannelTimeout,
    ProtocolError,
    decode,
    encode,
    read_frame,
    write_frame,
)


def test_round_trip_keeps_values_and_arrays() -> None:
    """JSON values and arrays nested anywhere come back equal, arrays with their dtype."""
    value: dict[str, list[Any]] = {
        "a": [1, 2.5, None, True, "x"],
        "w": [np.arange(6, dtype="float32").reshape(2, 3)],
    }
    restored = decode(encode(value))
    assert restored["a"] == [1, 2.5, None, True, "x"]
    np.testing.assert_array_equal(restored["w"][0], value["w"][0])
    assert restored["w"][0].dtype == np.float32


def test_object_arrays_are_refused() -> None:
    """An object array could carry pickles: it never crosses."""
    with pytest.raises(ProtocolError, match="dtype object"):
        encode(np.array([object()], dtype=object))


def test_unknown_types_are_refused() -> None:
    """Arbitrary objects, even with a friendly __eq__, are not plain data."""

    class AlwaysEqual:
        def __eq__(self, other: object) -> bool:
            return True

    with pytest.raises(ProtocolError, match="AlwaysEqual"):
        encode({"result": AlwaysEqual()})


def test_reserved_key_and_bad_references_are_refused() -> None:
    """A forged array reference cannot point outside the payload."""
    with pytest.raises(ProtocolError, match="reserved"):
        encode({"__array__": 0})
    frame = encode({"x": np.zeros(2)})
    forged = frame.replace(b'{"__array__": 0}', b'{"__array__": 7}')
    with pytest.raises(ProtocolError, match="invalid"):
        decode(forged)


def test_corrupt_frames_are_refused() -> None:
    """Truncated or mislabelled frames raise ProtocolError, never something deeper."""
    frame = encode({"x": np.ones(3)})
    with pytest.raises(ProtocolError):
        decode(frame[:-3])
    with pytest.raises(ProtocolError):
        decode(b"XXXX" + frame[4:])


def test_read_frame_times_out_and_sees_closed_channels() -> None:
    """Reading waits at most the timeout, and reports a closed writer."""
    read_end, write_end = os.pipe()
    try:
        with pytest.raises(ChannelTimeout):
            read_frame(read_end, timeout=0.05)
        write_frame(write_end, {"ok": True})
        assert read_frame(read_end, timeout=1) == {"ok": True}
        os.close(write_end)
        write_end = -1
        with pytest.raises(ChannelClosed):
            read_frame(read_end, timeout=1)
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def test_signed_frames_carry_their_trailer_and_refuse_forgeries() -> None:
    """A frame signed with the key reads back with its trailer; one signed with another key,
    an unsigned one, or one changed after signing is refused as forged."""
    from course.sandbox.protocol import KEY_BYTES, ForgedFrame, read_signed, sign

    key, other = os.urandom(KEY_BYTES), os.urandom(KEY_BYTES)
    value = {"ok": True, "value": [np.arange(3)]}
    frame = sign(encode(value), b"replaced sys.meta_path", key)

    def read(data: bytes, with_key: bytes = key) -> tuple[Any, str]:
        read_end, write_end = os.pipe()
        os.write(write_end, data)
        os.close(write_end)
        try:
            return read_signed(read_end, key=with_key, timeout=5)
        finally:
            os.close(read_end)

    restored, trailer = read(frame)
    np.testing.assert_array_equal(restored["value"][0], np.arange(3))
    assert trailer == "replaced sys.meta_path"
    for forged in (
        sign(encode(value), b"", other),
        encode(value) + b"\0" * 40,
        frame[:-1] + bytes([frame[-1] ^ 1]),
    ):
        with pytest.raises(ForgedFrame):
            read(forged)
