"""Running untrusted submissions: a worker process, the sandbox that launches it, its limits
and the wire protocol.

Nothing here knows what a check or a point is; see :mod:`course.grading` for that.
"""

from course.sandbox.launchers import Job, Launched, Launcher, LocalLauncher, Protection
from course.sandbox.limits import Limits
from course.sandbox.process import Outcome, Worker, default_launcher

__all__ = [
    "Job",
    "Launched",
    "Launcher",
    "Limits",
    "LocalLauncher",
    "Outcome",
    "Protection",
    "Worker",
    "default_launcher",
]
