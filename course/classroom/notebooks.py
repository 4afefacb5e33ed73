"""One assignment, two forms: the ``.py`` module (jupytext percent format) and a notebook.

JupyterLab with jupytext opens a percent-format module as a notebook (``# %%`` starts a
cell). ``module_to_notebook`` makes the ``.ipynb`` a course releases beside the module;
``notebook_to_module`` turns a submitted notebook back into a module that the graders run:
its code cells in order, joined by blank lines, markdown and raw cells dropped, and IPython
syntax (``%magic``, ``%%cell magic``, ``!shell``) commented out, never executed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from course.classroom.settings import ClassroomError

_IPYTHON_LINE = re.compile(r"^(\s*)([%!].*)$")
_CELL_MAGIC = re.compile(r"^\s*%%")


class NotebookError(ClassroomError):
    """A submitted notebook that cannot be read; the message names the problem."""


def module_to_notebook(source: str) -> str:
    """The notebook (nbformat 4 JSON) of a percent-format module, paired with it: jupytext
    in JupyterLab saves both files whenever the student saves either."""
    import jupytext

    notebook = jupytext.reads(source, fmt="py:percent")
    notebook.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return str(jupytext.writes(notebook, fmt="ipynb"))


def notebook_to_module(text: str, *, name: str = "notebook") -> str:
    """The module a notebook's code cells make; IPython-only lines commented out.

    Raises :class:`NotebookError` for text that is not an nbformat 4 notebook.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"{name} is not a notebook: its JSON does not parse ({error.msg} at line "
            f"{error.lineno}). Save it again from Jupyter, or submit the .py file."
        ) from error
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list) or document.get("nbformat") != 4:
        raise NotebookError(
            f"{name} is not an nbformat 4 notebook (no list of cells). Save it again "
            "from Jupyter, or submit the .py file."
        )
    blocks = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _cell_source(cell, name)
        if source.strip():
            blocks.append(_without_ipython(source))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _cell_source(cell: dict[str, Any], name: str) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise NotebookError(f"{name} has a code cell whose source is not text")


def _without_ipython(source: str) -> str:
    """Comment out magics and shell escapes; a ``%%`` cell magic comments the whole cell."""
    lines = source.splitlines()
    if lines and _CELL_MAGIC.match(lines[0]):
        return "\n".join(f"# {line}" for line in lines)
    return "\n".join(_IPYTHON_LINE.sub(r"\1# \2", line) for line in lines)
