"""Notes a check leaves for the student even when it passes ("test accuracy 0.8712").

The grading process runs one check at a time; the plugin takes the notes after each check
and adds them to its message.
"""

from __future__ import annotations

_notes: list[str] = []


def add(message: str) -> None:
    """Leave ``message`` on the current check's result."""
    _notes.append(message)


def take() -> list[str]:
    """The notes left since the last call, which are then forgotten."""
    taken = list(_notes)
    _notes.clear()
    return taken
