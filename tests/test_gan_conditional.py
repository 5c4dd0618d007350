"""Measuring a conditional generator (thesis §3.3): agreement with the requested digit and a
Fréchet distance per digit, checked on real images whose answers are known."""

import numpy as np
import pytest

from thesis_lib.evaluation import class_agreement as conditional


def test_agreement_counts_hits_overall_and_per_digit():
    requested = np.array([0, 0, 1, 1, 1, 2])
    predicted = np.array([0, 5, 1, 1, 7, 2])
    result = conditional.agreement(predicted, requested, num_classes=4)
    assert result["share"] == pytest.approx(4 / 6)
    assert result["per_digit"][:3] == pytest.approx([0.5, 2 / 3, 1.0])
    assert np.isnan(result["per_digit"][3]) and result["count"].tolist() == [2, 3, 1, 0]
    with pytest.raises(ValueError, match="one requested digit per image"):
        conditional.agreement(predicted, requested[:3])
    with pytest.raises(ValueError, match=r"0\.\.3"):
        conditional.agreement(predicted, requested + 2, num_classes=4)


def test_frechet_per_digit_is_zero_for_the_test_images_themselves_and_grows_with_a_mixup():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 200)
    features = rng.normal(size=(600, 4)) + labels[:, None] * 3.0
    same = conditional.frechet_per_digit(features, labels, features, labels, num_classes=3)
    assert same == pytest.approx([0, 0, 0], abs=1e-6)
    swapped = conditional.frechet_per_digit(features, (labels + 1) % 3, features, labels,
                                            num_classes=3)
    assert np.all(swapped > 10)  # each digit's images are another digit's: far apart


def test_real_images_agree_with_their_labels_as_often_as_the_evaluator_is_right(mnist):
    from thesis_lib.evaluation.evaluator import load_evaluator
    ev = load_evaluator()
    reference = conditional.real_reference(ev, mnist, per_digit=100)
    assert reference["share"] >= 0.99 and reference["count"].tolist() == [100] * 10
    # The same 100 images of each digit asked for as the next digit: nothing agrees, and each
    # digit's distance to the test images of the digit "asked for" is far larger.
    (x_train, y_train), (_, y_test) = mnist
    idx = np.concatenate([np.flatnonzero(y_train == d)[:100] for d in range(10)])
    wrong = conditional.evaluate(x_train[idx], (y_train[idx] + 1) % 10, ev,
                                 reference["test_features"], y_test)
    assert wrong["share"] <= 0.01
    assert np.all(wrong["frechet_per_digit"] > 3 * reference["frechet_per_digit"])
