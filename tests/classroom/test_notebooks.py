"""Notebooks: a module becomes one (its docstrings as markdown cells), and a submitted one
becomes a module safely."""

from __future__ import annotations

import ast
import json
import os
import re
import time
from pathlib import Path

import pytest

from course import api, learner
from course.classroom.notebooks import (
    NotebookError,
    module_to_notebook,
    notebook_to_module,
    paired_module,
)
from course.classroom.settings import CourseSettings
from course.config import Layout, Week
from tests.conftest import REPO

WEEKS = Layout(REPO).weeks


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": kind, "source": source, "metadata": {}} for kind, source in cells
            ],
        }
    )


def test_code_cells_in_order_markdown_dropped() -> None:
    """Code cells join in order; markdown and raw cells are left out."""
    text = notebook(("markdown", "# Title"), ("code", "x = 1"), ("raw", "?"), ("code", "y = x"))
    assert notebook_to_module(text) == "x = 1\n\ny = x\n"


def test_ipython_syntax_is_commented_out_never_run() -> None:
    """Magics, shell escapes and cell magics become comments."""
    text = notebook(
        ("code", "%matplotlib inline\nimport os\n  !rm -rf ~\nx = 1"),
        ("code", "%%bash\nrm -rf ~\necho hi"),
    )
    module = notebook_to_module(text)
    assert module == (
        "# %matplotlib inline\nimport os\n  # !rm -rf ~\nx = 1\n\n# %%bash\n# rm -rf ~\n# echo hi\n"
    )
    compile(module, "notebook", "exec")


def test_list_sources_are_joined() -> None:
    """nbformat allows a cell's source as a list of lines."""
    text = json.dumps(
        {"nbformat": 4, "cells": [{"cell_type": "code", "source": ["a = 1\n", "b = 2"]}]}
    )
    assert notebook_to_module(text) == "a = 1\nb = 2\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "JSON does not parse"),
        ('{"nbformat": 3, "worksheets": []}', "not an nbformat 4 notebook"),
        ("[1, 2]", "not an nbformat 4 notebook"),
        ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}', "not text"),
    ],
)
def test_broken_notebooks_are_refused_with_the_reason(text: str, problem: str) -> None:
    """A notebook that does not parse names the problem and the fix."""
    with pytest.raises(NotebookError, match=problem):
        notebook_to_module(text, name="week01.ipynb")


def test_module_to_notebook_round_trip() -> None:
    """A percent-format module's cells survive the notebook (after the markdown cell of the
    module docstring) and come back as code."""
    module = '# %%\n"""Doc."""\n\n\n# %%\ndef f() -> int:\n    return 1\n'
    text = module_to_notebook(module)
    document = json.loads(text)
    assert [cell["cell_type"] for cell in document["cells"]] == ["markdown", "code", "code"]
    assert document["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    namespace: dict[str, object] = {}
    exec(notebook_to_module(text), namespace)
    assert namespace["f"]() == 1  # type: ignore[operator]


def test_docstrings_become_markdown_cells_before_their_code() -> None:
    """The module docstring opens the notebook as its title and text; each exercise's
    docstring comes, under its heading, before the cell that defines it."""
    module = (
        '# %%\n"""Week 9: a title with ``code``.\n\nExercises:\n    9.1 ``f``  one\n"""\n\n'
        "import math\n\n\n"
        '# %%\ndef f() -> float:\n    """Exercise 9.1: return pi.\n\n    Like this::\n\n'
        '        math.pi\n    """\n    return math.pi\n\n\n'
        "# %%\ndef _helper() -> None:\n    pass\n"
    )
    cells = json.loads(module_to_notebook(module))["cells"]
    assert [cell["cell_type"] for cell in cells] == ["markdown", "code", "markdown", "code", "code"]
    assert "".join(cells[0]["source"]) == (
        "# Week 9: a title with `code`\n\nExercises:\n\n- 9.1 `f`  one"
    )
    assert "".join(cells[2]["source"]) == (
        "## Exercise 9.1: `f`\n\nReturn pi.\n\nLike this:\n\n```\nmath.pi\n```"
    )
    assert notebook_to_module(module_to_notebook(module)).count('"""') == 4


@pytest.mark.parametrize("week", WEEKS, ids=lambda week: week.stem)
def test_every_stubs_notebook_reads_as_the_assignment_and_grades_as_the_stub(week: Week) -> None:
    """Every week's notebook has the assignment text in markdown cells (a heading per
    exercise) and, converted back, exactly the stub's code; so has the module paired with
    it, and making the notebook again from that module adds nothing."""
    stub = week.assignment.read_text(encoding="utf-8")
    notebook = module_to_notebook(stub)
    cells = json.loads(notebook)["cells"]
    markdown = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
    assert markdown[0].startswith(f"# Week {week.number}: ")
    exercises = {
        node.name
        for node in ast.parse(stub).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        and (ast.get_docstring(node) or "").startswith("Exercise ")
    }
    headed = {
        name
        for text in markdown
        for name in re.findall(r"^## Exercise [\d.]+: `(\w+)`", text, re.M)
    }
    assert headed == exercises
    code = ast.dump(ast.parse(stub))
    assert ast.dump(ast.parse(notebook_to_module(notebook))) == code
    paired = paired_module(stub)
    assert ast.dump(ast.parse(paired)) == code
    assert module_to_notebook(paired) == notebook


def test_a_paired_notebook_opens_with_its_text_in_jupyterlab(tmp_path: Path) -> None:
    """jupytext's contents manager (JupyterLab's) opens the notebook beside its paired
    module with the markdown cells, however much later the notebook was written."""
    from jupytext import TextFileContentsManager

    stub = (
        '# %%\n"""Week 1: toy."""\n\n\n'
        '# %%\ndef f() -> int:\n    """Exercise 1.1: one."""\n    return 1\n'
    )
    (tmp_path / "week01_toy.py").write_text(paired_module(stub))
    (tmp_path / "week01_toy.ipynb").write_text(module_to_notebook(stub))
    later = time.time() + 600
    os.utime(tmp_path / "week01_toy.ipynb", (later, later))
    opened = TextFileContentsManager(root_dir=str(tmp_path)).get("week01_toy.ipynb")
    kinds = [cell.cell_type for cell in opened["content"].cells]
    assert kinds == ["markdown", "code", "markdown", "code"]


@pytest.mark.slow
def test_the_week1_solutions_notebook_scores_full_marks(tmp_path: Path) -> None:
    """The notebook of week 1's solution, graded as course check grades a notebook, earns
    every point: the markdown cells change nothing the graders see."""
    week = next(week for week in WEEKS if week.number == 1)
    notebook = tmp_path / f"{week.stem}.ipynb"
    notebook.write_text(module_to_notebook(week.solution.read_text(encoding="utf-8")))
    module = learner.as_module(notebook, week, tmp_path)
    report = api.check(week=week.stem, submission=module, root=REPO, seed=1)
    assert [(c.id, c.status) for c in report.checks if not c.passed] == []
    assert report.score == report.max_score == week.max_points


def test_release_publishes_the_module_and_notebook_in_step(
    released: tuple[CourseSettings, Week],
) -> None:
    """The released module is the notebook's pair (the stub's code, the assignment text as
    comments): JupyterLab opens the notebook with its markdown cells."""
    from jupytext import TextFileContentsManager

    settings, week = released
    folder = settings.directory("release", week.stem)
    module = (folder / f"{week.stem}.py").read_text()
    assert "# %% [markdown]" in module
    assert ast.dump(ast.parse(module)) == ast.dump(ast.parse(week.assignment.read_text()))
    opened = TextFileContentsManager(root_dir=str(folder)).get(f"{week.stem}.ipynb")
    kinds = [cell.cell_type for cell in opened["content"].cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown", "code"]
