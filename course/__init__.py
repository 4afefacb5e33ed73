"""course: auto-graded TensorFlow/Keras exercises.

Importing this package is cheap: TensorFlow is only imported by the code paths that build,
train or rebuild models (the worker process and the graders).
"""

from typing import Any

__version__ = "0.1.0"


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext course`` in IPython or Jupyter: the ``%course`` magic
    (:mod:`course.jupyter`), imported only then."""
    from course.jupyter import load_ipython_extension as load

    load(ipython)
