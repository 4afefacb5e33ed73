"""Week 6 grader, part 7: exporting the embeddings for the Embedding Projector (exercise 6.7).

The grader builds its own classifier (Embedding(V, d) -> GlobalAveragePooling1D ->
Dense(1, sigmoid)) with known embedding weights, not the initializer's, and sends it to the
worker with its vocabulary. Drawn at each grading (``fresh_rng``): the vocabulary, '' and
'[UNK]' first, then 15 to 45 words of reference.py's list and two words outside ASCII (to
catch files not written as UTF-8) in a random order; the dimension d, 4 to 16; and the
weights, normal with standard deviation 0.3, as float32. So these checks do not depend on
the other exercises, and the expected rows are exact. The worker calls
``export_embeddings(model, vocabulary, "projector/week06")`` (a folder that does not exist
yet) and sends back the text of every file written there; nothing the submission wrote is
parsed by Keras or loaded here. A second call into the same folder, which then exists, must
work too (an export run again from a notebook).

The format is the one the TensorFlow "Word embeddings" tutorial writes and
projector.tensorflow.org loads: ``vectors.tsv`` with one row of tab-separated numbers per
token, ``metadata.tsv`` with one token per line, no header (a one-column metadata file has
none), both in vocabulary order without the padding token: the Projector skips empty lines,
so writing ``''`` as an empty line would shift every label after it by one row. The numbers
must equal the weights to 1e-5 (``str(value)`` of a float32 is exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission, model_spec
from course.testing import fail, fresh_rng

from .reference import Words

pytestmark = pytest.mark.visibility("visible")

DIRECTORY = "projector/week06"
FILES = ("vectors.tsv", "metadata.tsv")
TOLERANCE = 1e-5


@dataclass(frozen=True)
class Export:
    """One grading's vocabulary and embedding matrix (one float32 row per token)."""

    vocabulary: list[str]
    embedding: np.ndarray

    @property
    def rows(self) -> int:
        """Lines each file should have: every token but the padding token."""
        return len(self.vocabulary) - 1


def _draw(rng: np.random.Generator, words: Words) -> Export:
    tokens = [str(word) for word in rng.choice(words.plain, int(rng.integers(15, 46)), False)]
    tokens += [str(word) for word in rng.choice(words.accented, 2, replace=False)]
    rng.shuffle(tokens)
    vocabulary = ["", "[UNK]", *tokens]
    shape = (len(vocabulary), int(rng.integers(4, 17)))
    return Export(vocabulary, rng.normal(0.0, 0.3, size=shape).astype(np.float32))


def _model(export: Export) -> dict[str, Any]:
    """The grader's classifier, as a spec the worker rebuilds, with the drawn embedding."""
    size, dimension = export.embedding.shape
    model = keras.Sequential(
        [
            keras.Input(shape=(6,), dtype="int64"),
            keras.layers.Embedding(size, dimension, name="embedding"),
            keras.layers.GlobalAveragePooling1D(name="average"),
            keras.layers.Dense(1, activation="sigmoid", name="probability"),
        ]
    )
    weights = [np.asarray(w) for w in model.get_weights()]
    weights[0] = export.embedding
    return model_spec(model.to_json(), weights)


@pytest.fixture(scope="module")
def export(submission: Submission, words: Words) -> Export:
    return _draw(fresh_rng(submission, "export_embeddings"), words)


@pytest.fixture(scope="module")
def written(submission: Submission, export: Export) -> dict[str, object]:
    """``{file name: {"text", "utf8", "bytes", "truncated"}}`` for the files written."""
    report = expect(
        submission.probe(
            "text.files",
            action=f"export_embeddings(model, vocabulary, {DIRECTORY!r})",
            function="export_embeddings",
            directory=DIRECTORY,
            args=[_model(export), export.vocabulary, DIRECTORY],
        ),
        dict,
        what="the files written",
    )
    files: dict[str, object] = expect(report.get("files"), dict, what="the files written")
    return files


def _lines(written: dict[str, object], name: str) -> list[str]:
    """The lines of ``name``; a final newline does not start another line."""
    entry = written.get(name)
    if not isinstance(entry, dict):
        raise fail(
            f"the file {DIRECTORY}/{name}",
            expected="written by export_embeddings",
            received="no such file",
            hint="see the check on the files written.",
        )
    lines = str(entry.get("text", "")).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@pytest.mark.points(1)
def test_export_writes_both_files(written: dict[str, object]) -> None:
    """export_embeddings creates the folder and writes vectors.tsv and metadata.tsv in it"""
    _check_both_files(
        written,
        after=f"export_embeddings(model, vocabulary, {DIRECTORY!r})",
        hint="create the folder with Path(directory).mkdir(parents=True, exist_ok=True) and "
        "write both files inside it, with exactly these names.",
    )


def _check_both_files(files: dict[str, object], *, after: str, hint: str) -> None:
    missing = [name for name in FILES if name not in files]
    if missing:
        raise fail(
            f"the files in {DIRECTORY!r} after {after}",
            expected=" and ".join(FILES),
            received=", ".join(sorted(files)) or "no files",
            hint=hint,
        )


@pytest.mark.points(1)
def test_export_row_counts(written: dict[str, object], export: Export) -> None:
    """both files have one line per token, the padding token excepted"""
    for name in FILES:
        lines = _lines(written, name)
        if len(lines) != export.rows:
            hint = (
                "skip index 0, the padding token '': the Projector drops empty lines."
                if len(lines) == len(export.vocabulary)
                else "write one line per token of the vocabulary, after the padding token, "
                "and no header."
            )
            raise fail(
                f"the number of lines in {name} for a vocabulary of {len(export.vocabulary)} "
                "tokens",
                expected=export.rows,
                received=len(lines),
                hint=hint,
            )


@pytest.mark.points(1)
def test_export_metadata_lists_the_tokens(written: dict[str, object], export: Export) -> None:
    """metadata.tsv holds the tokens in vocabulary order, UTF-8, no header"""
    entry = written.get("metadata.tsv")
    if isinstance(entry, dict) and entry.get("utf8") is False:
        raise fail(
            "the encoding of metadata.tsv",
            expected="UTF-8",
            received="bytes that are not UTF-8",
            hint="open the file with open(path, 'w', encoding='utf-8').",
        )
    lines = _lines(written, "metadata.tsv")
    expected = export.vocabulary[1:]
    for row, (want, got) in enumerate(zip(expected, lines, strict=False)):
        if want != got:
            raise fail(
                f"line {row + 1} of metadata.tsv",
                expected=repr(want) + f" (vocabulary[{row + 1}])",
                received=repr(got),
                hint="skip the padding token '' (vocabulary[0]): the Projector drops empty "
                "lines, which would shift every label after it."
                if row == 0 and got == ""
                else "write vocabulary[1:], one token per line, with no header and nothing "
                "else on the line.",
            )
    if len(lines) != len(expected):
        raise fail(
            "the number of tokens in metadata.tsv",
            expected=len(expected),
            received=len(lines),
            hint="write every token after the padding token, once.",
        )


@pytest.mark.points(2)
def test_export_vectors_are_the_embedding_weights(
    written: dict[str, object], export: Export
) -> None:
    """line i of vectors.tsv holds row i + 1 of the embedding matrix, tab-separated"""
    lines = _lines(written, "vectors.tsv")
    vocabulary, embedding = export.vocabulary, export.embedding
    dimension = embedding.shape[1]
    expected = embedding[1:]
    for row, line in enumerate(lines[: len(expected)]):
        fields = line.split("\t")
        try:
            values = np.array([float(field) for field in fields])
        except ValueError:
            raise fail(
                f"line {row + 1} of vectors.tsv",
                expected=f"{dimension} numbers separated by tabs",
                received=repr(line[:120]),
                hint='write "\\t".join(str(value) for value in row): tabs between the '
                "numbers, nothing before or after them.",
            ) from None
        if values.shape != (dimension,) or not np.allclose(
            values, expected[row], rtol=0.0, atol=TOLERANCE
        ):
            matches = [
                index
                for index, weights in enumerate(embedding)
                if values.shape == weights.shape
                and np.allclose(values, weights, rtol=0.0, atol=TOLERANCE)
            ]
            received = (
                f"row {matches[0]} of the matrix ({vocabulary[matches[0]]!r})"
                if matches
                else f"{len(values)} numbers that are no row of the matrix: "
                + ", ".join(f"{value:.6g}" for value in values[:4])
                + (", ..." if len(values) > 4 else "")
            )
            raise fail(
                f"line {row + 1} of vectors.tsv",
                expected=f"row {row + 1} of the Embedding layer's weight matrix (for "
                f"{vocabulary[row + 1]!r}), to within {TOLERANCE:g}",
                received=received,
                hint="take the weights of the Embedding layer (layer.get_weights()[0]), skip "
                "row 0, and write every number in full (str(value)).",
            )
    if len(lines) != len(expected):
        raise fail(
            "the number of rows in vectors.tsv",
            expected=len(expected),
            received=len(lines),
            hint="write one row per token after the padding token.",
        )


@pytest.mark.points(1)
def test_export_into_a_folder_that_exists(
    submission: Submission, export: Export, written: dict[str, object]
) -> None:
    """export_embeddings writes into a folder that already exists (a second export)"""
    # ``written`` ran the first export, which made the folder: this call finds it there.
    report = submission.probe(
        "text.files",
        action=f"export_embeddings(model, vocabulary, {DIRECTORY!r}) a second time",
        function="export_embeddings",
        directory=DIRECTORY,
        args=[_model(export), export.vocabulary, DIRECTORY],
    )
    _check_both_files(
        expect(report.get("files"), dict, what="the files written"),
        after="a second export",
        hint="create the folder only if needed: Path(directory).mkdir(parents=True, "
        "exist_ok=True).",
    )
