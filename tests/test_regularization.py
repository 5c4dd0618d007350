"""thesis_lib.nn.regularization (thesis §2.4) against independent numerical routes and Keras."""

import inspect
import re

import keras
import numpy as np
import pytest

from thesis_lib.nn import regularization as R

H = np.array([[3.0, 1.0], [1.0, 0.5]])
W_STAR = np.array([1.0, -2.0])


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.7, 5.0])
def test_l2_closed_form_eigen_form_and_gradient_descent_agree(alpha):
    direct, eigen = R.l2_optimum(H, W_STAR, alpha), R.l2_optimum_eigen(H, W_STAR, alpha)
    numeric = R.minimize_numerically(lambda w: H @ (w - W_STAR) + alpha * w, np.zeros(2))
    np.testing.assert_allclose(direct, eigen, atol=1e-12)
    np.testing.assert_allclose(direct, numeric, atol=1e-6)


def test_l2_scales_each_eigendirection_by_lambda_over_lambda_plus_alpha():
    lam, q = np.linalg.eigh(H)
    coords = q.T @ R.l2_optimum(H, W_STAR, 0.7)
    np.testing.assert_allclose(coords, (q.T @ W_STAR) * lam / (lam + 0.7))


@pytest.mark.parametrize("lam", [0.0, 0.1, 0.4, 3.0])
def test_l1_soft_thresholding_matches_proximal_gradient(lam):
    h, w = np.array([2.0, 1.0, 0.5]), np.array([1.0, -0.3, 0.2])
    np.testing.assert_allclose(R.l1_optimum(h, w, lam), R.l1_by_proximal_gradient(h, w, lam),
                               atol=1e-8)


def test_l1_zeroes_coordinates_below_the_threshold():
    w = R.l1_optimum([2.0, 1.0, 0.5], [1.0, -0.3, 0.2], 0.4)
    np.testing.assert_allclose(w, [0.8, 0.0, 0.0])  # |w*| ≤ λ/H → 0; otherwise shifted by λ/H


def test_batch_norm_formulas_equal_keras_in_training_and_inference():
    rng = np.random.default_rng(0)
    batches = [rng.normal(2, 3, size=(32, 4)).astype("float32") for _ in range(5)]
    bn = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    bn.build((None, 4))
    gamma, beta = np.array([1.5, 0.5, 2.0, 1.0]), np.array([0.1, -0.2, 0.0, 0.3])
    bn.gamma.assign(gamma.astype("float32"))
    bn.beta.assign(beta.astype("float32"))
    means, variances = [], []
    for z in batches:
        ours, mu, var = R.batch_norm_train(z, gamma, beta)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(bn(z, training=True)), ours,
                                   atol=1e-5)
        means.append(mu)
        variances.append(var)
    moving_mean = R.moving_average(means, 0.9, initial=0.0)
    moving_var = R.moving_average(variances, 0.9, initial=1.0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), moving_mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), moving_var, rtol=1e-5)
    test = rng.normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bn(test, training=False)),
                               R.batch_norm_inference(test, gamma, beta, moving_mean, moving_var),
                               atol=1e-5)


def test_batch_norm_uses_the_variance_not_the_standard_deviation():
    z = np.array([[0.0], [2.0], [4.0], [6.0]])
    _, mu, var = R.batch_norm_train(z, 1.0, 0.0)
    assert mu == 3.0 and var == 5.0  # σ² = 5, σ = √5


def test_keras_dropout_is_inverted_dropout():
    x = np.ones((200, 500), dtype="float32")
    out = keras.ops.convert_to_numpy(keras.layers.Dropout(0.25, seed=1)(x, training=True))
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.75], rtol=1e-6)
    assert np.mean(out == 0) == pytest.approx(0.25, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    np.testing.assert_array_equal(keras.layers.Dropout(0.25)(x, training=False), x)


def test_regularized_variants_build_with_the_thesis_parameter_count():
    for v in R.VARIANTS:
        assert R.regularized_dense(v).count_params() == 118_282
    with pytest.raises(ValueError, match="valid"):
        R.regularized_dense("L3")


def test_regularizers_shrink_weights_on_real_data(mnist_dir):
    from thesis_lib import data
    (x, y), (xt, yt) = data.load_mnist(mnist_dir)
    x, y = data.stratified_subset(x, y, 600, seed=0)
    xt, yt = data.stratified_subset(xt, yt, 300, seed=0)
    prep = lambda a: data.scale_01(a).reshape(-1, 784)  # noqa: E731
    res = R.compare_regularizers(prep(x), data.one_hot(y), prep(xt), data.one_hot(yt),
                                 epochs=15, batch_size=64)
    base = np.abs(res["sin regularización"]["weights"])
    assert np.abs(res["L2"]["weights"]).mean() < base.mean()
    assert np.mean(np.abs(res["L1"]["weights"]) < 1e-3) > np.mean(base < 1e-3)
    assert res["sin regularización"]["train_accuracy"] > 0.95


def test_near_zero_on_blank_pixels_counts():
    x = np.zeros((5, 784))
    x[:, 1:] = 1.0                       # pixel 0 is blank in every image
    w = np.ones((784, 2))
    w[0] = 0.0                           # its weights are zero ...
    w[10, 0] = 0.0                       # ... and one weight of a live pixel
    blank, share, live = R.near_zero_on_blank_pixels(w, x)
    assert blank == 1 and share == pytest.approx(2 / 3) and live == pytest.approx(1 / 1566)


def test_summary_table_rows_and_gap():
    res = {"L2": {"train_accuracy": 1.0, "test_accuracy": 0.9, "weights": np.array([0.0, 0.5])}}
    table = R.summary_table(res)
    assert table.loc["L2", "brecha (puntos porcentuales)"] == pytest.approx(10)
    assert table.loc["L2", R.NEAR_ZERO] == 0.5
    assert table.index.name == "variante"


def _fake_results():
    none = np.full((784, 4), 0.05)
    none[:16] = 0.0                      # 64 of 3136 weights (2 %) exactly zero
    l1 = np.full((784, 4), 0.05)
    l1[:100] = 0.0                       # the first 100 pixels: 400 weights exactly zero
    weights = {"sin regularización": none, "L2": np.full((784, 4), 0.02), "L1": l1}
    weights["dropout"] = weights["sin regularización"]
    accuracy = {"sin regularización": (1.0, 0.80), "L2": (0.995, 0.85), "L1": (0.99, 0.82),
                "dropout": (0.999, 0.81)}
    return {v: {"train_accuracy": accuracy[v][0], "test_accuracy": accuracy[v][1],
                "weights": w.ravel()} for v, w in weights.items()}


def test_summary_numbers_are_spanish_text_for_the_prose():
    results = _fake_results()
    x_train = np.ones((3, 784))
    x_train[:, :50] = 0.0                # 50 blank pixels, all among the 100 with zero weights
    words = R.summary_numbers(R.summary_table(results), results, x_train, n_test=12_000)
    assert words["reg_n_train"] == "3" and words["reg_n_test"] == "12\u202f000"
    assert words["reg_best"] == "L2"
    assert words["reg_spread"] == "5,0"            # 85 % − 80 %, in percentage points
    assert words["reg_train_min"] == "99,0\u00a0%"
    assert words["reg_blank"] == "50"
    assert words["reg_share_blank"] == "50\u00a0%"  # 200 of the 400 zero weights
    assert words["reg_none_zero"] == "2,0\u00a0%"
    assert words["reg_l2_zero"] == "0,0\u00a0%"      # L2's weights are all 0,02 here
    assert not any("." in w for w in words.values())


def test_show_summary_writes_percentages_and_decimal_commas():
    html = R.show_summary(R.summary_table(_fake_results())).to_html()
    assert "99,5\u00a0%" in html and "variante" in html
    assert not re.search(r"\d\.\d", html.split("</style>")[-1])


def test_batch_norm_comparison_defaults_to_keras_momentum():
    default = inspect.signature(R.batch_norm_against_keras).parameters["momentum"].default
    assert default == keras.layers.BatchNormalization().momentum == 0.99
    assert inspect.signature(R.moving_average).parameters["momentum"].default == default


def test_batch_norm_moving_mean_moves_ten_times_slower_with_the_default_momentum():
    batches = [np.full((8, 1), 5.0, dtype="float32") + np.arange(8)[:, None] for _ in range(5)]
    fast = R.batch_norm_against_keras(batches, [1.0], [0.0], momentum=0.9)["moving_mean"]
    slow = R.batch_norm_against_keras(batches, [1.0], [0.0])["moving_mean"]
    mu = 8.5  # the batch mean: 5 + 3.5
    np.testing.assert_allclose(fast, mu * (1 - 0.9 ** 5), rtol=1e-6)
    np.testing.assert_allclose(slow, mu * (1 - 0.99 ** 5), rtol=1e-6)


def test_batch_norm_against_keras_reports_small_gaps():
    rng = np.random.default_rng(3)
    batches = [rng.normal(5, 2, size=(16, 3)) for _ in range(3)]
    gaps = R.batch_norm_against_keras(batches, [1.0, 2.0, 0.5], [0.0, 0.1, 0.2],
                                      new_batch=rng.normal(size=(4, 3)))
    assert gaps["training"] < 1e-4 and gaps["inference"] < 1e-4
    assert gaps["moving_averages_relative"] < 1e-5


def _per_seed(accuracies):
    """{seed: results} with only test accuracies (per variant, one list entry per seed)."""
    seeds = range(len(next(iter(accuracies.values()))))
    return {s: {v: {"test_accuracy": accuracies[v][s]} for v in R.VARIANTS} for s in seeds}


def test_seed_numbers_say_no_variant_differs_when_every_interval_holds_zero():
    per_seed = _per_seed({"sin regularización": [0.921, 0.915, 0.919], "L2": [0.9122, 0.913, 0.9165],
                          "L1": [0.9195, 0.9175, 0.919], "dropout": [0.9265, 0.9245, 0.9225]})
    words = R.seed_numbers(per_seed)
    assert words["reg_seeds"] == "3"
    assert words["reg_seed_verdict"].startswith("ninguno de los tres intervalos excluye el 0")
    assert words["reg_between"] == "0,6 a 1,4"  # best − worst per seed: 1.43, 0.95, 0.6 points
    frame = R.seed_table(per_seed)
    assert frame.loc["sin regularización", R.SEED_COLUMNS[4]] == "—"
    assert frame.loc["dropout", R.SEED_COLUMNS[3]] == "0,6"
    assert frame.loc["dropout", R.SEED_COLUMNS[0]] == "3"


def test_seed_numbers_name_a_variant_whose_interval_excludes_zero():
    per_seed = _per_seed({"sin regularización": [0.90, 0.91, 0.92], "L2": [0.95, 0.96, 0.97],
                          "L1": [0.90, 0.91, 0.92], "dropout": [0.91, 0.90, 0.92]})
    verdict = R.seed_numbers(per_seed)["reg_seed_verdict"]
    assert verdict.startswith("excluyen el 0: L2 mejora")
    assert "L1" not in verdict and "dropout" not in verdict


def test_seed_statements_need_at_least_three_seeds():
    per_seed = _per_seed({v: [0.9, 0.91] for v in R.VARIANTS})
    with pytest.raises(ValueError, match="at least 3"):
        R.seed_numbers(per_seed)


def test_compare_over_seeds_draws_data_and_initialisation_from_each_seed(monkeypatch):
    calls = []

    def fake(x_train, y_train, x_test, y_test, epochs, batch_size, seed):
        calls.append((seed, x_train[:, 0].copy(), len(x_test), epochs, batch_size))
        return {v: {"test_accuracy": 0.5} for v in R.VARIANTS}

    monkeypatch.setattr(R, "compare_regularizers", fake)
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 30)
    images = rng.integers(0, 255, size=(300, 28, 28)).astype("uint8")
    out = R.compare_over_seeds(((images, labels), (images[:100], labels[:100])), [4, 5],
                               train_subset=50, test_subset=None, epochs=2, batch_size=8)
    assert list(out) == [4, 5] and [c[0] for c in calls] == [4, 5]
    assert [c[2:] for c in calls] == [(100, 2, 8), (100, 2, 8)]  # all the test images
    assert not np.array_equal(calls[0][1], calls[1][1])  # another seed, another subset
