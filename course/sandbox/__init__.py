"""Running untrusted submissions: a worker process, its launcher and the wire protocol.

Nothing here knows what a check or a point is; see :mod:`course.grading` for that.
"""

from course.sandbox.process import LocalLauncher, Outcome, Worker

__all__ = ["LocalLauncher", "Outcome", "Worker"]
