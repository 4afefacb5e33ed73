"""Notebooks: a module becomes one, and a submitted one becomes a module safely."""

from __future__ import annotations

import json

import pytest

from course.classroom.notebooks import NotebookError, module_to_notebook, notebook_to_module


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
    """A percent-format module's cells survive the notebook and come back as code."""
    module = '# %%\n"""Doc."""\n\n\n# %%\ndef f() -> int:\n    return 1\n'
    text = module_to_notebook(module)
    document = json.loads(text)
    assert [cell["cell_type"] for cell in document["cells"]] == ["code", "code"]
    assert document["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    namespace: dict[str, object] = {}
    exec(notebook_to_module(text), namespace)
    assert namespace["f"]() == 1  # type: ignore[operator]
