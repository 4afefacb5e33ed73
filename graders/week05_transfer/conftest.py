"""Shared by the week 5 graders: the course's pretrained backbone, loaded once a grading.

What the grader knows of the backbone, and how it reads a submitted model's layers, are in
``models.py``.
"""

from __future__ import annotations

import pytest

from .models import Backbone, load_backbone


@pytest.fixture(scope="session")
def backbone() -> Backbone:
    """The pretrained backbone (``backbone.spec``, ``backbone.layer_names``...)."""
    return load_backbone()
