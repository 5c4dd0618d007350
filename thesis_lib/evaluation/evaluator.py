"""The frozen MNIST evaluator: the best full-profile CNN of thesis §4.1, shipped as weights.

Every GAN metric of the book (Fréchet distance, MNIST score, class coverage) is computed with
this network, so its weights are part of the package and checked against a SHA-256 before use.
It takes images in [0, 1] (or uint8 0–255) of the shape its network reads (``image_shape``:
(28, 28, 1), the channel may be left out) and tells ``num_classes`` (10) digits apart.
"""

from __future__ import annotations

import collections
import functools
import hashlib
from pathlib import Path

import keras
import numpy as np

from thesis_lib import artifacts
from thesis_lib.models.classifiers import cnn_classifier

ASSETS = Path(__file__).resolve().parents[1] / "assets"
WEIGHTS = ASSETS / "evaluator_cnn.weights.h5"
CARD = ASSETS / "evaluator_cnn.json"
# Outputs kept for inputs of at least this many images, for the last MEMO_SIZE such inputs.
MEMO_MIN_IMAGES, MEMO_SIZE = 5_000, 4


class EvaluatorWeightsError(ValueError):
    """The evaluator's weight file is missing or is not the recorded one."""


def expected_sha256() -> str:
    return artifacts.read_json(CARD)["weights_sha256"]


def as_unit_images(images, shape=(28, 28, 1)) -> np.ndarray:
    """(n, *shape) float32 in [0, 1] from uint8 or float images; a single channel may be left
    out ((n, h, w) for shape (h, w, 1))."""
    x = np.asarray(images)
    shape = tuple(shape)
    if x.ndim == len(shape) and shape[-1] == 1:
        x = x[..., np.newaxis]
    if x.ndim != len(shape) + 1 or x.shape[1:] != shape:
        raise ValueError(f"expected images shaped (n, {', '.join(map(str, shape))}), got "
                         f"{x.shape}.")
    if x.dtype == np.uint8:
        return x.astype("float32") / 255.0
    x = x.astype("float32")
    if x.size and (x.min() < -1e-3 or x.max() > 1 + 1e-3):
        raise ValueError(f"float images must lie in [0, 1] (found {x.min():.3g}..{x.max():.3g}); "
                         "rescale tanh outputs with (x + 1) / 2 first.")
    return x


class Evaluator:
    """Class probabilities and penultimate-layer (Dense 64) features of the frozen CNN."""

    def __init__(self, weights: str | Path = WEIGHTS, sha256: str | None = None):
        weights = Path(weights)
        if not weights.is_file():
            raise EvaluatorWeightsError(
                f"evaluator weights not found at {weights}; reinstall thesis_lib or restore "
                f"thesis_lib/assets/ from the repository.")
        expected = sha256 or expected_sha256()
        actual = artifacts.sha256(weights)
        if actual != expected:
            raise EvaluatorWeightsError(
                f"{weights}: SHA-256 {actual} does not match the recorded {expected}; the file "
                f"was altered or replaced. Restore it from the repository (git checkout -- "
                f"{weights.name}) instead of using it.")
        self.model = cnn_classifier(128, name="evaluator_cnn")
        self.model.load_weights(str(weights))
        self.model.trainable = False
        # Both outputs in one pass: every GAN metric needs the two, and the network is most of
        # a metric's cost on a CPU.
        self._both = keras.Model(self.model.inputs,
                                 [self.model.outputs[0], self.model.get_layer("features").output])
        self.card = artifacts.read_json(CARD) if CARD.is_file() else {}
        self._memo: collections.OrderedDict = collections.OrderedDict()
        # What the network reads and tells apart, taken from the network itself.
        self.image_shape = tuple(self.model.input_shape[1:])
        self.num_classes = int(self.model.output_shape[-1])

    def probabilities(self, images, batch_size: int = 1000) -> np.ndarray:
        return self.probabilities_and_features(images, batch_size)[0]

    def predict(self, images, batch_size: int = 1000) -> np.ndarray:
        return self.probabilities(images, batch_size).argmax(axis=1)

    def features(self, images, batch_size: int = 1000) -> np.ndarray:
        return self.probabilities_and_features(images, batch_size)[1]

    def probabilities_and_features(self, images, batch_size: int = 1000
                                   ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`probabilities` and :meth:`features` of the same images, in one pass.

        The outputs for the last few large inputs are remembered by the images' SHA-256: the
        10,000 test images are the reference of every metric, and a chapter (or the test
        suite) scores them many times; on a CPU each pass costs seconds."""
        unit = as_unit_images(images, self.image_shape)
        key = None
        if len(unit) >= MEMO_MIN_IMAGES:
            key = (hashlib.sha256(np.ascontiguousarray(unit).view(np.uint8)).hexdigest(),
                   batch_size)
            if key in self._memo:
                self._memo.move_to_end(key)
                return tuple(a.copy() for a in self._memo[key])
        probs, features = self._both.predict(unit, batch_size=batch_size, verbose=0)
        if key is not None:
            self._memo[key] = (probs.copy(), features.copy())
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return probs, features


@functools.lru_cache(maxsize=1)
def load_evaluator() -> Evaluator:
    """The shipped evaluator, loaded once per process."""
    return Evaluator()


def export(model: keras.Model, card: dict, weights: Path = WEIGHTS, card_path: Path = CARD):
    """Write a trained CNN's weights (model variables only) and its card with the SHA-256."""
    fresh = cnn_classifier(128, name="evaluator_cnn")
    fresh.set_weights(model.get_weights())
    artifacts.atomic_save(fresh.save_weights, weights)
    card = dict(card, weights_sha256=artifacts.sha256(weights), weights_file=weights.name)
    artifacts.write_json(card_path, card)
    return card

