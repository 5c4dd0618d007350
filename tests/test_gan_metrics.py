"""GAN metrics with the frozen evaluator: sanity properties the issue lists."""

import numpy as np
import pytest

from thesis_lib import data
from thesis_lib.evaluation import evaluator, metrics


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return data.load_mnist(mnist_dir)


@pytest.fixture(scope="module")
def ev():
    return evaluator.load_evaluator()


@pytest.mark.all_backends
def test_frechet_distance_of_a_set_to_itself_is_zero(mnist, ev):
    feats = ev.features(mnist[1][0][:2000])
    assert metrics.frechet_distance(feats, feats) == pytest.approx(0, abs=1e-6)


def test_frechet_distance_grows_with_noise(mnist, ev):
    x = data.scale_01(mnist[1][0][:1000])
    reference = ev.features(mnist[1][0][2000:4000])
    rng = np.random.default_rng(0)
    distances = [metrics.frechet_distance(
        ev.features(np.clip(x + rng.normal(0, s, x.shape), 0, 1)), reference)
        for s in (0.0, 0.2, 0.4)]
    assert distances[0] < distances[1] < distances[2]


def test_frechet_distance_of_gaussians_matches_closed_form():
    rng = np.random.default_rng(1)
    a = rng.normal(0, 1, size=(200_000, 2))
    b = rng.normal(1, 2, size=(200_000, 2))
    # Means differ by (1, 1): 2; covariances I and 4I: Tr(I + 4I - 2·2I) = 2 → total 4.
    assert metrics.frechet_distance(a, b) == pytest.approx(4.0, rel=0.02)


def test_one_class_sample_scores_one_and_covers_one_class(mnist, ev):
    (x_train, y_train), _ = mnist
    ones = x_train[y_train == 1][:1000]
    probs = ev.probabilities(ones)
    score, _ = metrics.mnist_score(probs)
    assert score == pytest.approx(1.0, abs=0.1)
    assert metrics.class_coverage(probs)["classes_covered"] == 1


def test_real_test_set_scores_near_ten(mnist, ev):
    probs = ev.probabilities(mnist[1][0])
    score, sd = metrics.mnist_score(probs, splits=10)
    assert 9.5 < score <= 10.0 and sd < 0.2
    coverage = metrics.class_coverage(probs)
    assert coverage["classes_covered"] == 10 and coverage["kl_to_uniform"] < 0.01


def test_mnist_score_extremes_without_the_evaluator():
    confident_uniform = np.eye(10)[np.arange(1000) % 10]
    assert metrics.mnist_score(confident_uniform)[0] == pytest.approx(10, rel=1e-6)
    assert metrics.mnist_score(np.full((100, 10), 0.1))[0] == pytest.approx(1)
    with pytest.raises(ValueError, match="splits"):
        metrics.mnist_score(np.full((5, 10), 0.1), splits=6)


# On TensorFlow only: every backend runs the evaluator in test_evaluator.py.
def test_real_data_references(mnist, ev):
    refs = metrics.real_data_references(ev, mnist, n=2000)
    assert refs["test_set"]["frechet_distance"] == pytest.approx(0, abs=1e-6)
    assert 0 < refs["train_vs_test"]["frechet_distance"] < 5
    assert refs["test_set"]["mnist_score"] > 9.5


def test_constant_features_count_only_through_their_means():
    rng = np.random.default_rng(2)
    a = np.column_stack([rng.normal(size=5000), np.zeros(5000)])
    b = np.column_stack([rng.normal(size=5000), np.full(5000, 3.0)])
    assert metrics.frechet_distance(a, b) == pytest.approx(9.0, abs=0.1)
