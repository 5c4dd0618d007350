"""The frozen evaluator: hash-checked loading, accuracy on MNIST, probabilities and features."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from thesis_lib import data
from thesis_lib.evaluation import evaluator


@pytest.mark.all_backends
def test_refuses_weights_whose_hash_does_not_match(tmp_path):
    copy = tmp_path / "evaluator.weights.h5"
    shutil.copy(evaluator.WEIGHTS, copy)
    raw = bytearray(copy.read_bytes())
    raw[-100] ^= 0xFF
    copy.write_bytes(bytes(raw))
    with pytest.raises(evaluator.EvaluatorWeightsError, match="does not match the recorded"):
        evaluator.Evaluator(copy)


def test_missing_weights_file(tmp_path):
    with pytest.raises(evaluator.EvaluatorWeightsError, match="not found"):
        evaluator.Evaluator(tmp_path / "nope.weights.h5")


def test_card_records_a_full_profile_run():
    card = evaluator.load_evaluator().card
    assert card["profile"] == "full" and card["n_train"] == 60_000
    assert card["test_accuracy"] >= 0.992
    assert card["weights_sha256"] == evaluator.expected_sha256()


def test_evaluator_scores_at_least_99_2_percent_on_the_test_set(mnist_dir):
    _, (x_test, y_test) = data.load_mnist(mnist_dir)
    ev = evaluator.load_evaluator()
    probs = ev.probabilities(x_test)
    assert probs.shape == (10_000, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-4)
    accuracy = np.mean(probs.argmax(axis=1) == y_test)
    assert accuracy >= 0.992
    assert accuracy == pytest.approx(ev.card["test_accuracy"], abs=2e-4)


# What TensorFlow gave for the first 500 test images, recorded once (np.save of
# ``probabilities(x_test[:500])`` as float32); regenerate only with new evaluator weights.
REFERENCE = Path(__file__).parent / "data" / "evaluator-probabilities-test-first-500.npy"


@pytest.mark.all_backends
def test_every_backend_gives_the_recorded_probabilities(mnist_dir):
    """The frozen evaluator loads and scores the same on every backend: the test above scores
    all 10,000 images once (on TensorFlow); the JAX and PyTorch reruns compare 500 with it."""
    _, (x_test, y_test) = data.load_mnist(mnist_dir)
    probs = evaluator.load_evaluator().probabilities(x_test[:500])
    reference = np.load(REFERENCE)
    np.testing.assert_allclose(probs, reference, atol=1e-4)
    np.testing.assert_array_equal(probs.argmax(axis=1), reference.argmax(axis=1))
    assert np.mean(reference.argmax(axis=1) == y_test[:500]) >= 0.99


def test_features_and_input_conventions(mnist_dir):
    _, (x_test, _) = data.load_mnist(mnist_dir)
    ev = evaluator.load_evaluator()
    f_uint8 = ev.features(x_test[:50])
    f_float = ev.features(data.add_channel(data.scale_01(x_test[:50])))
    assert f_uint8.shape == (50, 64)
    np.testing.assert_allclose(f_uint8, f_float, atol=1e-5)
    with pytest.raises(ValueError, match=r"\(x \+ 1\) / 2"):
        ev.features(data.scale_pm1(x_test[:5]))
    with pytest.raises(ValueError, match="28, 28"):
        ev.features(np.zeros((3, 32, 32), dtype=np.float32))


def test_large_inputs_are_scored_once_and_callers_get_their_own_copies(mnist_dir, monkeypatch):
    monkeypatch.setattr(evaluator, "MEMO_MIN_IMAGES", 8)
    _, (x_test, _) = data.load_mnist(mnist_dir)
    ev = evaluator.Evaluator()
    calls = []
    original = ev._both.predict
    monkeypatch.setattr(ev._both, "predict", lambda *a, **k: calls.append(1) or original(*a, **k))
    probs, features = ev.probabilities_and_features(x_test[:16])
    probs[:] = 0.0  # a caller writing into its result changes nothing remembered
    again = ev.probabilities(x_test[:16])
    assert len(calls) == 1 and again.sum() == pytest.approx(16.0, abs=1e-3)
    np.testing.assert_array_equal(ev.features(x_test[:16]), features)
    ev.probabilities(x_test[:4])  # below the size kept: scored every time
    ev.probabilities(x_test[:4])
    other = ev.probabilities(x_test[16:32])  # other images: scored, not looked up
    assert len(calls) == 4 and not np.allclose(other, again)
