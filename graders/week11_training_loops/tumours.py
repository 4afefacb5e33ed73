"""Part 6's data: the Wisconsin breast-cancer tumours, split once for every grading."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The breast-cancer split: 400 tumours to train on, the other 169 to validate.
SPLIT_SEED = 11
TRAINING_TUMOURS = 400


@dataclass(frozen=True)
class TumourSplit:
    train_features: np.ndarray
    train_labels: np.ndarray
    validation_features: np.ndarray
    validation_labels: np.ndarray


def split_tumours() -> TumourSplit:
    """The Wisconsin breast-cancer data, 1 = malignant, split at random (seeded)."""
    from sklearn.datasets import load_breast_cancer  # scipy is slow to import: only here

    features, target = load_breast_cancer(return_X_y=True)
    labels = (1 - target).astype("int64")
    order = np.random.default_rng(SPLIT_SEED).permutation(len(features))
    train, validation = order[:TRAINING_TUMOURS], order[TRAINING_TUMOURS:]
    return TumourSplit(features[train], labels[train], features[validation], labels[validation])
