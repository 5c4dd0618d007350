"""§4.1 classifiers: the thesis's parameter counts, training under a profile, metrics."""

import numpy as np
import pytest

from thesis_lib import classifier_runs, metrics
from thesis_lib.models import classifiers


def test_parameter_counts_match_the_thesis_and_the_authors_code():
    assert classifiers.dense_classifier().count_params() == 118_282
    assert classifiers.cnn_classifier(128).count_params() == 280_010   # the authors' code
    assert classifiers.cnn_classifier(64).count_params() == 140_682    # the prose's variant


def test_cnn_exposes_a_64_unit_feature_layer():
    model = classifiers.cnn_classifier()
    assert model.get_layer("features").units == 64
    assert model.layers[-1].activation.__name__ == "softmax"


def test_quick_training_learns_and_writes_a_complete_card(mnist_dir):
    from thesis_lib import data
    mnist = data.load_mnist(mnist_dir)
    model, card = classifier_runs.train("dense", "quick", mnist=mnist, epochs=6,
                                        train_subset=3000, test_subset=1000)
    assert card["test_accuracy"] > 0.8 and card["n_train"] == 3000
    for key in ("seed", "profile", "hardware", "environment", "seconds_per_epoch",
                "test_loss", "parameters"):
        assert key in card
    assert card["environment"]["commit"]


def test_unknown_model_is_rejected():
    with pytest.raises(ValueError, match="valid models"):
        classifier_runs.build("resnet")


def test_confusion_matrix_and_per_class_scores_by_hand():
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 2, 2])
    m = metrics.confusion_matrix(y_true, y_pred, num_classes=3)
    np.testing.assert_array_equal(m, [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    scores = metrics.precision_recall_f1(m)
    np.testing.assert_allclose(scores["precision"], [1, 0.5, 0.5])
    np.testing.assert_allclose(scores["recall"], [2 / 3, 0.5, 1])
    np.testing.assert_allclose(scores["f1"], [0.8, 0.5, 2 / 3])
    np.testing.assert_array_equal(scores["support"], [3, 2, 1])


def test_never_predicted_class_gets_zero_precision():
    scores = metrics.precision_recall_f1(metrics.confusion_matrix([0, 1], [0, 0], 2))
    assert scores["precision"][1] == 0 and scores["f1"][1] == 0


def test_most_confident_errors_order():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.05, 0.95]])
    y = np.array([1, 1, 1, 0])  # items 0, 2, 3 are wrong, with confidence 0.9, 0.6, 0.95
    np.testing.assert_array_equal(metrics.most_confident_errors(probs, y, k=2), [3, 0])


def test_classifier_run_resumes_after_a_crash(mnist_dir, tmp_path, monkeypatch):
    import keras

    from thesis_lib import callbacks, data

    class CrashingTimer(callbacks.Timer):
        def on_epoch_end(self, epoch, logs=None):
            super().on_epoch_end(epoch, logs)
            if epoch == 1:
                raise RuntimeError("killed")

    mnist = data.load_mnist(mnist_dir)
    kwargs = dict(mnist=mnist, epochs=4, train_subset=1000, test_subset=500,
                  backup_dir=tmp_path / "backup")
    monkeypatch.setattr(classifier_runs, "Timer", CrashingTimer)
    with pytest.raises(RuntimeError, match="killed"):
        classifier_runs.train("dense", "quick", **kwargs)
    monkeypatch.setattr(classifier_runs, "Timer", callbacks.Timer)
    model, card = classifier_runs.train("dense", "quick", **kwargs)
    assert card["epochs_run_in_this_process"] == 2          # epochs 3 and 4 only
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations.value)) == 4 * 2
