"""Shared by the week 6 graders: the word lists they draw their sentences from.

The lists and the reference tokenisation the checks compare against are in ``reference.py``.
"""

from __future__ import annotations

import pytest

from .reference import Words


@pytest.fixture(scope="session")
def words() -> Words:
    """The word lists to draw sentences from (``words.plain``, ``words.compound``...)."""
    return Words()
