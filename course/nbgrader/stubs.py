"""Stubs from solutions with nbgrader's own solution-clearing (``ClearSolutions``).

A solution module is a jupytext percent-format script whose answers sit between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines. :func:`clear_solutions` reads it as a
notebook, runs nbgrader's ``ClearSolutions`` preprocessor on every cell (each solution
region becomes :data:`CODE_STUB`, indented like the region) and writes the notebook back in
the same format, so everything outside the regions is kept byte for byte.
"""

from __future__ import annotations

#: What replaces each solution region (nbgrader's stub, with a message for the student).
CODE_STUB = '# YOUR CODE HERE\nraise NotImplementedError("Write your solution here")'


def clear_solutions(source: str) -> str:
    """The stub module for a solution module (both in jupytext percent format)."""
    import jupytext
    from nbgrader.preprocessors import ClearSolutions

    notebook = jupytext.reads(source, fmt="py:percent")
    clearing = ClearSolutions(code_stub={"python": CODE_STUB}, enforce_metadata=False)
    cleared, _ = clearing.preprocess(notebook, {"language": "python"})
    return str(jupytext.writes(cleared, fmt="py:percent"))
