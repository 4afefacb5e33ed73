"""The only place in ``course`` that imports nbgrader.

* :mod:`course.nbgrader.stubs`: nbgrader's ``ClearSolutions`` turns a solution into a stub;
* :mod:`course.nbgrader.exchange`: release, fetch, submit, collect and feedback through
  nbgrader's exchange (its default, file-system exchange);
* :mod:`course.nbgrader.plain_exchange`: a student's fetch and submit as nbgrader's exchange
  does them, without importing nbgrader (seconds a command), nbgrader's classes taking over
  for anything else;
* :mod:`course.nbgrader.gradebook`: weeks, checks and scores in nbgrader's gradebook
  database (SQLite or any SQLAlchemy URL), so nbgrader's formgrader and
  ``nbgrader export`` show what ``course autograde`` found, and what an instructor changed
  in formgrader comes back;
* :mod:`course.nbgrader.formgrader`: the autograded notebook formgrader shows for each
  graded submission (the code, a grade cell per check);
* :mod:`course.nbgrader.timestamps`: nbgrader's timestamps (``timestamp.txt``), read and
  written as nbgrader does.

nbgrader's own errors come out as :class:`course.config.ClassroomError` with its message,
never as a traceback from inside nbgrader. Nothing here imports :mod:`course.classroom`:
the classroom drives nbgrader, never the reverse.
"""

import sys

# jsonschema (under nbformat, under nbgrader) imports rfc3987_syntax, when it is installed,
# only to check the "iri" string format, which no schema of nbgrader's or nbformat's uses;
# building that module's grammar took 2 of the 4.4 s nbgrader's exchange takes to import,
# paid by every classroom command. ``None`` in sys.modules makes its import raise
# ImportError, which jsonschema expects of an optional checker.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # a blocked import
