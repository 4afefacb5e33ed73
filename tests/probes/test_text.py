"""The text probes: strings, outcomes, vectorizers, text datasets, training, written files.

Weeks 6, 7 and 12 judge text standardisation, vocabularies, pipelines and the Embedding
Projector files through these probes; the tests call them directly, on a module made from
source text, as the worker would.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from course.probes import text
from course.probes.errors import InvalidReturn
from course.probes.markers import vectorizer_spec
from tests.probes.modules import module_from_source

tf = pytest.importorskip("tensorflow")

TEXT = """
import os

import keras
import numpy as np
import tensorflow as tf


def lower(sentences):
    return tf.strings.lower(sentences)


def raw_bytes():
    return tf.constant([b"caf\\xc3\\xa9", b"\\xff"])


def parse(value):
    return int(value)


def unfinished():
    raise NotImplementedError("Exercise 6.1")


def vectorizer(texts, max_tokens, sequence_length):
    layer = keras.layers.TextVectorization(
        max_tokens=max_tokens, output_sequence_length=sequence_length
    )
    layer.adapt(texts)
    return layer


def not_a_vectorizer(texts, max_tokens, sequence_length):
    return texts


def ids_dataset(texts, layer):
    return tf.data.Dataset.from_tensor_slices(texts).batch(2).map(layer)


def strings_dataset(texts, layer):
    return tf.data.Dataset.from_tensor_slices(texts).batch(2)


def encode(labels):
    return np.array([label == "pos" for label in labels], dtype="int32")


def make_dataset(texts, targets, layer):
    return tf.data.Dataset.from_tensor_slices((texts, targets)).batch(2).map(
        lambda x, y: (layer(x), y)
    )


def build(vocabulary_size, embedding_dim, sequence_length):
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, embedding_dim),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def train(model, dataset):
    return model.fit(dataset, epochs=2, verbose=0)


def export(folder, words):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "metadata.tsv"), "w", encoding="utf-8") as stream:
        stream.write("\\n".join(words) + "\\n")
    with open(os.path.join(folder, "binary.bin"), "wb") as stream:
        stream.write(b"\\xff\\xfe")
    os.symlink("/etc/passwd", os.path.join(folder, "link.txt"))
"""

SENTENCES = ["the film was great", "the film was awful", "great acting", "awful plot"]


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return module_from_source(TEXT)


def test_strings_come_back_as_unicode_arrays(module: ModuleType) -> None:
    """Array arguments arrive as tf.string tensors; the result returns as numpy str."""
    reply = text.strings(module, function="lower", args=[np.array(["Hello", "WORLD"])])
    assert reply["class"] == "EagerTensor"
    assert reply["dtype"] == "string"
    assert reply["value"].dtype.kind == "U"
    assert reply["value"].tolist() == ["hello", "world"]


def test_undecodable_bytes_are_replaced_not_refused(module: ModuleType) -> None:
    """UTF-8 is decoded; a byte that is not UTF-8 becomes the replacement character."""
    reply = text.strings(module, function="raw_bytes")
    assert reply["value"].tolist() == ["café", "\ufffd"]


def test_outcome_reports_the_exception_a_function_raised(module: ModuleType) -> None:
    """An exception is data for the grader: its class chain and message."""
    assert text.outcome(module, function="parse", args=["12"]) == {"value": 12}
    raised = text.outcome(module, function="parse", args=["twelve"])["raised"]
    assert raised["class_chain"][:2] == ["ValueError", "Exception"]
    assert "twelve" in raised["message"]


def test_outcome_lets_not_implemented_through(module: ModuleType) -> None:
    """An unfinished exercise is not reported as an answer that raised."""
    with pytest.raises(NotImplementedError):
        text.outcome(module, function="unfinished")


def test_vectorizer_reports_vocabulary_config_and_outputs(module: ModuleType) -> None:
    """The vocabulary includes '' and '[UNK]' first; outputs are padded ids."""
    reply = text.vectorizer(
        module, function="vectorizer", args=[SENTENCES, 6, 5], inputs=["the great unknown"]
    )
    assert reply["vocabulary"][:2] == ["", "[UNK]"]
    assert len(reply["vocabulary"]) == 6
    assert reply["config"]["output_sequence_length"] == 5
    ids = reply["outputs"][0]
    vocabulary = reply["vocabulary"]
    assert ids.tolist()[:3] == [vocabulary.index("the"), vocabulary.index("great"), 1]
    assert ids.tolist()[3:] == [0, 0]


def test_vectorizer_refuses_another_type(module: ModuleType) -> None:
    """Returning the texts instead of a layer is named in the reply."""
    with pytest.raises(InvalidReturn, match=r"not a keras\.layers\.TextVectorization"):
        text.vectorizer(module, function="not_a_vectorizer", args=[SENTENCES, 6, 5])


def test_a_vectorizer_spec_is_built_in_the_worker(module: ModuleType) -> None:
    """The grader's own vocabulary judges a pipeline apart from the student's vectorizer."""
    spec = vectorizer_spec(["film", "great"], 3)
    reply = text.dataset(module, function="ids_dataset", args=[["great film", "film"], spec])
    assert reply["element_spec"]["shape"] == [None, 3]
    np.testing.assert_array_equal(reply["first_batch"][0], [[3, 2, 0], [2, 0, 0]])


def test_a_dataset_of_strings_is_refused_with_the_fix(module: ModuleType) -> None:
    """Batches of strings are not numbers: the reply says to map them to token ids."""
    spec = vectorizer_spec(["film"], 3)
    with pytest.raises(InvalidReturn, match="turn the strings into token ids"):
        text.dataset(module, function="strings_dataset", args=[["a film"], spec])


def test_train_runs_the_whole_pipeline_and_keeps_the_labels_out(module: ModuleType) -> None:
    """Vectorizer, encoder, dataset, model and trainer run in order; validation ids return."""
    reply = text.train(
        module,
        texts=SENTENCES,
        labels=["pos", "neg", "pos", "neg"],
        validation_texts=["great film"],
        max_tokens=20,
        sequence_length=4,
        embedding_dim=3,
        vectorizer_builder="vectorizer",
        label_encoder="encode",
        dataset_maker="make_dataset",
        builder="build",
        trainer="train",
    )
    assert reply["history"]["epochs"] == [0, 1]
    assert reply["model"]["input_shape"] == [None, 4]
    assert reply["validation_ids"].shape == (1, 4)
    embedding = reply["model"]["weights"][0]
    assert embedding.shape == (len(reply["vocabulary"]), 3)


def test_written_files_are_read_back_without_following_links(
    module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text files as text, other bytes replaced and flagged, symbolic links skipped."""
    monkeypatch.chdir(tmp_path)
    reply = text.written_files(
        module, function="export", directory="projector", args=["projector", ["a", "b"]]
    )
    assert reply["exists"] is True
    assert set(reply["files"]) == {"metadata.tsv", "binary.bin"}
    assert reply["files"]["metadata.tsv"] == {
        "text": "a\nb\n",
        "utf8": True,
        "bytes": 4,
        "truncated": False,
    }
    assert reply["files"]["binary.bin"]["utf8"] is False
    assert os.path.islink(tmp_path / "projector" / "link.txt")


@pytest.mark.parametrize("directory", ["/tmp", "../outside", "a/../../b"])
def test_written_files_stay_inside_the_workers_folder(module: ModuleType, directory: str) -> None:
    """A folder outside the worker's folder is a grader bug, refused before anything runs."""
    with pytest.raises(text.BadRequest, match="not inside the worker's folder"):
        text.written_files(module, function="export", directory=directory, args=["x", []])
