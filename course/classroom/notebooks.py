"""One assignment, two forms: the ``.py`` module (jupytext percent format) and a notebook.

JupyterLab with jupytext opens a percent-format module as a notebook (``# %%`` starts a
cell). ``module_to_notebook`` makes the ``.ipynb`` a course releases beside the module: the
module's code cells as they are, each preceded by a markdown cell with the assignment text
its docstrings hold (the module's: the week's goal and rules; each public function's or
class's: the exercise), so the notebook reads as an assignment. ``paired_module`` is the
module jupytext keeps in step with that notebook: the same code, the markdown cells as
``# %% [markdown]`` comments.

``notebook_to_module`` turns a submitted notebook back into a module that the graders run:
its code cells in order, joined by blank lines, markdown and raw cells dropped, and IPython
syntax (``%magic``, ``%%cell magic``, ``!shell``) commented out, never executed. The
markdown cells are text only: a notebook made from a module grades as the module does.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from typing import Any

from course.classroom.settings import ClassroomError

_IPYTHON_LINE = re.compile(r"^(\s*)([%!].*)$")
_CELL_MAGIC = re.compile(r"^\s*%%")
_EXERCISE = re.compile(r"^(Exercise \d+\.\d+):\s*(.*)$", re.DOTALL)
_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_LIST_ITEM = re.compile(r"^\s*([-*]|\d+\.)\s")


class NotebookError(ClassroomError):
    """A submitted notebook that cannot be read; the message names the problem."""


def module_to_notebook(source: str) -> str:
    """The notebook (nbformat 4 JSON) of a percent-format module, paired with it: jupytext
    in JupyterLab saves both files whenever the student saves either.

    Each code cell comes as it is, after a markdown cell with the text of its docstrings
    (:func:`instructions`), when it has any; a module that has markdown cells already (a
    notebook saved as a module) keeps its own.
    """
    import jupytext

    notebook = _with_instructions(jupytext.reads(source, fmt="py:percent"))
    return str(jupytext.writes(notebook, fmt="ipynb"))


def paired_module(source: str) -> str:
    """The module jupytext pairs with :func:`module_to_notebook`'s notebook: ``source``'s
    code, the notebook's markdown cells as ``# %% [markdown]`` comments and jupytext's
    header. Write it beside the notebook: jupytext in JupyterLab reads a paired notebook's
    cells from the module, so a module without the markdown cells hides them."""
    import jupytext

    return str(
        jupytext.writes(
            _with_instructions(jupytext.reads(source, fmt="py:percent")), fmt="py:percent"
        )
    )


def _with_instructions(notebook: Any) -> Any:
    from nbformat.v4 import new_markdown_cell

    if not any(cell.cell_type == "markdown" for cell in notebook.cells):
        cells = []
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                text = instructions(cell.source, module=index == 0)
                if text:
                    cells.append(new_markdown_cell(text))
            cells.append(cell)
        notebook.cells = cells
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # not random: the same module makes the same notebook
    notebook.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


def instructions(code: str, *, module: bool = False) -> str:
    """The markdown of a code cell's docstrings: with ``module``, the module docstring as
    the assignment's title and text; then, for each public function or class the cell
    defines, its docstring under the exercise's heading. Empty when there is none (or the
    cell is not plain Python)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    sections = []
    docstring = ast.get_docstring(tree) if module else None
    if docstring:
        title, _, body = _LITERAL.sub(r"`\1`", docstring).partition("\n")
        sections.append(_section(f"# {title.strip().rstrip('.')}", body))
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        docstring = ast.get_docstring(node)
        if node.name.startswith("_") or not docstring:
            continue
        exercise = _EXERCISE.match(docstring)
        if exercise:
            summary = exercise.group(2)
            heading = f"## {exercise.group(1)}: `{node.name}`"
            sections.append(_section(heading, summary[:1].upper() + summary[1:]))
        else:
            sections.append(_section(f"## `{node.name}`", docstring))
    return "\n\n".join(sections)


def _section(heading: str, body: str) -> str:
    text = _markdown(body.strip("\n"))
    return f"{heading}\n\n{text}" if text.strip() else heading


def _markdown(text: str) -> str:
    """A docstring's reStructuredText, as far as ours use it, in markdown: double
    backquotes mark code, a line ending ``::`` introduces a code block, and lines indented
    right under a line ending ``:`` are a list (the exercise tables)."""
    lines = _LITERAL.sub(r"`\1`", text).splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        listed = (
            line.endswith(":")
            and not _LIST_ITEM.match(line)
            and index < len(lines)
            and lines[index].startswith("    ")
        )
        if (line.endswith("::") and _indented(lines, index)) or listed:
            block = []
            while index < len(lines) and (_indented(lines, index) or not lines[index].strip()):
                block.append(lines[index])
                index += 1
            while block and not block[-1].strip():
                block.pop()
            while block and not block[0].strip():
                block.pop(0)
            if line.endswith("::"):
                out += [line[:-1], "", "```", *_dedent(block), "```", ""]
            else:
                out += [line, "", *(f"- {item.strip()}" for item in block if item.strip()), ""]
            continue
        out.append(line)
    return "\n".join(out).strip("\n")


def _indented(lines: list[str], index: int) -> bool:
    """Whether the next non-blank line from ``index`` on is indented."""
    for line in lines[index:]:
        if line.strip():
            return line.startswith((" ", "\t"))
    return False


def _dedent(block: list[str]) -> list[str]:
    return textwrap.dedent("\n".join(block)).splitlines()


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
