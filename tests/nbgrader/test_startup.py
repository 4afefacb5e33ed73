"""What a classroom command pays to load nbgrader."""

from __future__ import annotations

import subprocess
import sys


def test_nbgrader_loads_without_the_iri_grammar() -> None:
    """Loading nbgrader's exchange through ``course.nbgrader`` never builds jsonschema's
    optional IRI grammar (about 2 s of every classroom command), and nbformat still
    validates a notebook."""
    code = (
        "import sys\n"
        "import course.nbgrader.exchange\n"
        "import nbgrader.exchange.default\n"
        "import nbformat\n"
        "nbformat.validate(nbformat.v4.new_notebook())\n"
        "print(sys.modules.get('rfc3987_syntax'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "None"
