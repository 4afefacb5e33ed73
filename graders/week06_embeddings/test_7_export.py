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
CALL = f"export_embeddings(model, vocabulary, {DIRECTORY!r})"


@dataclass(frozen=True)
class Export:
    """One grading's vocabulary and embedding matrix (one float32 row per token)."""

    vocabulary: list[str]
    embedding: np.ndarray

    @property
    def rows(self) -> int:
        """Lines each file should have: every token but the padding token."""
        return len(self.vocabulary) - 1


@pytest.fixture(scope="module")
def export(submission: Submission, words: Words) -> Export:
    rng = fresh_rng(submission, "export_embeddings")
    tokens = [str(word) for word in rng.choice(words.plain, int(rng.integers(15, 46)), False)]
    tokens += [str(word) for word in rng.choice(words.accented, 2, replace=False)]
    rng.shuffle(tokens)
    vocabulary = ["", "[UNK]", *tokens]
    shape = (len(vocabulary), int(rng.integers(4, 17)))
    return Export(vocabulary, rng.normal(0.0, 0.3, size=shape).astype(np.float32))


def _exported(submission: Submission, export: Export, action: str) -> dict[str, object]:
    """``{file name: {"text", "utf8", "bytes", "truncated"}}`` for the files that
    ``export_embeddings`` writes, given the grader's classifier (Embedding, pooling, a
    sigmoid unit) with the drawn embedding as its weights."""
    size, dimension = export.embedding.shape
    model = keras.Sequential(
        [
            keras.Input(shape=(6,), dtype="int64"),
            keras.layers.Embedding(size, dimension, name="embedding"),
            keras.layers.GlobalAveragePooling1D(name="average"),
            keras.layers.Dense(1, activation="sigmoid", name="probability"),
        ]
    )
    weights = [export.embedding, *(np.asarray(w) for w in model.get_weights()[1:])]
    report = submission.probe(
        "text.files",
        action=action,
        function="export_embeddings",
        directory=DIRECTORY,
        args=[model_spec(model.to_json(), weights), export.vocabulary, DIRECTORY],
    )
    files = expect(report, dict, what="the files written").get("files")
    return expect(files, dict, what="the files written")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def written(submission: Submission, export: Export) -> dict[str, object]:
    return _exported(submission, export, CALL)


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
    return lines[:-1] if lines[-1] == "" else lines


def _check_both_files(files: dict[str, object], *, after: str, hint: str) -> None:
    if any(name not in files for name in FILES):
        raise fail(
            f"the files in {DIRECTORY!r} after {after}",
            expected=" and ".join(FILES),
            received=", ".join(sorted(files)) or "no files",
            hint=hint,
        )


def _check_line_count(lines: list[str], name: str, export: Export) -> None:
    if len(lines) != export.rows:
        raise fail(
            f"the number of lines in {name} for a vocabulary of {len(export.vocabulary)} tokens",
            expected=export.rows,
            received=len(lines),
            hint="skip index 0, the padding token '': the Projector drops empty lines."
            if len(lines) == len(export.vocabulary)
            else "write one line per token of the vocabulary, after the padding token, and "
            "no header.",
        )


@pytest.mark.points(1)
def test_export_writes_both_files(written: dict[str, object]) -> None:
    """export_embeddings creates the folder and writes vectors.tsv and metadata.tsv in it"""
    _check_both_files(
        written,
        after=CALL,
        hint="create the folder with Path(directory).mkdir(parents=True, exist_ok=True) and "
        "write both files inside it, with exactly these names.",
    )


@pytest.mark.points(1)
def test_export_row_counts(written: dict[str, object], export: Export) -> None:
    """both files have one line per token, the padding token excepted"""
    for name in FILES:
        _check_line_count(_lines(written, name), name, export)


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
    for row, (want, got) in enumerate(zip(export.vocabulary[1:], lines, strict=False), start=1):
        if want != got:
            raise fail(
                f"line {row} of metadata.tsv",
                expected=f"{want!r} (vocabulary[{row}])",
                received=repr(got),
                hint="skip the padding token '' (vocabulary[0]): the Projector drops empty "
                "lines, which would shift every label after it."
                if row == 1 and got == ""
                else "write vocabulary[1:], one token per line, with no header and nothing "
                "else on the line.",
            )
    _check_line_count(lines, "metadata.tsv", export)


@pytest.mark.points(2)
def test_export_vectors_are_the_embedding_weights(
    written: dict[str, object], export: Export
) -> None:
    """line i of vectors.tsv holds row i + 1 of the embedding matrix, tab-separated"""
    lines, embedding = _lines(written, "vectors.tsv"), export.embedding
    for row, line in enumerate(lines[: export.rows], start=1):
        try:
            values = np.array([float(field) for field in line.split("\t")])
        except ValueError:
            raise fail(
                f"line {row} of vectors.tsv",
                expected=f"{embedding.shape[1]} numbers separated by tabs",
                received=repr(line[:120]),
                hint='write "\\t".join(str(value) for value in row): tabs between the '
                "numbers, nothing before or after them.",
            ) from None
        # The rows of the matrix that this line holds, to within the tolerance.
        matches = (
            np.flatnonzero(np.all(np.abs(embedding - values) <= TOLERANCE, axis=1))
            if values.shape == embedding.shape[1:]
            else np.empty(0, dtype=np.intp)
        )
        if row not in matches:
            raise fail(
                f"line {row} of vectors.tsv",
                expected=f"row {row} of the Embedding layer's weight matrix (for "
                f"{export.vocabulary[row]!r}), to within {TOLERANCE:g}",
                received=f"row {matches[0]} of the matrix ({export.vocabulary[matches[0]]!r})"
                if len(matches)
                else f"{len(values)} numbers that are no row of the matrix: "
                + ", ".join(f"{value:.6g}" for value in values[:4])
                + (", ..." if len(values) > 4 else ""),
                hint="take the weights of the Embedding layer (layer.get_weights()[0]), skip "
                "row 0, and write every number in full (str(value)).",
            )
    _check_line_count(lines, "vectors.tsv", export)


@pytest.mark.points(1)
def test_export_into_a_folder_that_exists(
    submission: Submission, export: Export, written: dict[str, object]
) -> None:
    """export_embeddings writes into a folder that already exists (a second export)"""
    # ``written`` ran the first export, which made the folder: this call finds it there.
    _check_both_files(
        _exported(submission, export, f"{CALL} a second time"),
        after="a second export",
        hint="create the folder only if needed: Path(directory).mkdir(parents=True, "
        "exist_ok=True).",
    )
