"""course: auto-graded TensorFlow/Keras exercises.

Importing this package is cheap: TensorFlow is only imported by the code paths that build,
train or rebuild models (the worker process and the graders).
"""

__version__ = "0.1.0"
