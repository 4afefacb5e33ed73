"""What a worker prints: read from a pipe, its head and tail kept, the middle dropped.

The worker's standard output and error go into one pipe whose other end only this process
holds; nothing is read from a path the worker could replace. A thread drains the pipe as fast
as the worker writes, so a chatty submission never blocks on a full pipe, and keeps the
first and the last few kilobytes. When the worker prints more than its limit in all, the
collector calls ``on_overflow`` once (the worker stops it).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

HEAD_BYTES = 4_096
TAIL_BYTES = 8_192


class OutputCollector:
    """Drains ``fd`` (the read end of the worker's output pipe) in a background thread."""

    def __init__(
        self,
        fd: int,
        *,
        limit: int,
        on_overflow: Callable[[], None] | None = None,
        head: int = HEAD_BYTES,
        tail: int = TAIL_BYTES,
    ) -> None:
        self.limit = limit
        self._fd = fd
        self._on_overflow = on_overflow
        self._head_size, self._tail_size = head, tail
        self._head = bytearray()
        self._tail = bytearray()
        self._dropped = 0
        self.total = 0
        self.overflowed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, name="worker-output", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            while chunk := os.read(self._fd, 65_536):
                overflow = False
                with self._lock:
                    self._keep(chunk)
                    self.total += len(chunk)
                    if self.total > self.limit and not self.overflowed:
                        self.overflowed = overflow = True
                if overflow and self._on_overflow is not None:
                    self._on_overflow()
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.close(self._fd)

    def _keep(self, chunk: bytes) -> None:
        room = self._head_size - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        self._tail += chunk
        excess = len(self._tail) - self._tail_size
        if excess > 0:
            del self._tail[:excess]
            self._dropped += excess

    def text(self) -> str:
        """Everything kept, with a line saying how much of the middle was left out."""
        with self._lock:
            head, tail, dropped = bytes(self._head), bytes(self._tail), self._dropped
        parts = [head.decode("utf-8", errors="replace")]
        if dropped:
            parts.append(f"\n[... {dropped:,} bytes of output left out ...]\n")
        parts.append(tail.decode("utf-8", errors="replace"))
        return "".join(parts)

    def tail(self, limit: int = 2_000) -> str:
        """The last ``limit`` characters printed (stripped), for messages."""
        text = self.text()
        return text[-limit:].strip()

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the pipe to close (every process holding its write end has ended)."""
        self._thread.join(timeout)
