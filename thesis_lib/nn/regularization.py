"""Regularization (thesis §2.4): L2 and L1 on a quadratic, dropout, batch normalization, and
the penalties compared on a small MNIST classifier."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from thesis_lib import backend, data, intervals
from thesis_lib.formatting import listing, num, pct, table

# --- L2 and L1 on a quadratic approximation ----------------------------------------------------

def l2_optimum(hessian, w_star, alpha: float) -> np.ndarray:
    """Minimiser of ½(w − w*)ᵀH(w − w*) + (α/2)‖w‖²: (H + αI)⁻¹ H w*."""
    h = np.asarray(hessian, dtype=float)
    return np.linalg.solve(h + alpha * np.eye(len(h)), h @ np.asarray(w_star, dtype=float))


def l2_optimum_eigen(hessian, w_star, alpha: float) -> np.ndarray:
    """The same minimiser written as the thesis does: Q (Λ + αI)⁻¹ Λ Qᵀ w*.

    Each component of w* along an eigenvector of H is scaled by λᵢ / (λᵢ + α).
    """
    lam, q = np.linalg.eigh(np.asarray(hessian, dtype=float))
    return q @ np.diag(lam / (lam + alpha)) @ q.T @ np.asarray(w_star, dtype=float)


def l1_optimum(h_diag, w_star, lam: float) -> np.ndarray:
    """Minimiser of Σ ½Hᵢᵢ(wᵢ − wᵢ*)² + λ|wᵢ| for diagonal H: sign(w*)·max(|w*| − λ/Hᵢᵢ, 0)."""
    w_star, h = np.asarray(w_star, dtype=float), np.asarray(h_diag, dtype=float)
    return np.sign(w_star) * np.maximum(np.abs(w_star) - lam / h, 0.0)


def minimize_numerically(grad, w0, learning_rate: float = 0.01, steps: int = 20_000):
    """Plain gradient descent, an independent route to the closed forms above."""
    w = np.asarray(w0, dtype=float)
    for _ in range(steps):
        w = w - learning_rate * grad(w)
    return w


def l1_by_proximal_gradient(h_diag, w_star, lam, learning_rate=0.05, steps=5000):
    """ISTA iterations for the L1 problem (a gradient step, then shrink towards 0)."""
    h, w_star = np.asarray(h_diag, dtype=float), np.asarray(w_star, dtype=float)
    w = np.zeros_like(w_star)
    for _ in range(steps):
        z = w - learning_rate * h * (w - w_star)
        w = np.sign(z) * np.maximum(np.abs(z) - learning_rate * lam, 0.0)
    return w


# --- batch normalization -----------------------------------------------------------------------

def batch_norm_train(z, gamma, beta, epsilon: float = 1e-3):
    """The per-batch formulas of Ioffe & Szegedy (thesis figure 25), feature by feature.

    Returns the output and the batch mean and (biased) variance, σ² = mean((z − μ)²).
    """
    z = np.asarray(z, dtype=float)
    mu = z.mean(axis=0)
    var = ((z - mu) ** 2).mean(axis=0)
    return gamma * (z - mu) / np.sqrt(var + epsilon) + beta, mu, var


def batch_norm_inference(z, gamma, beta, moving_mean, moving_var, epsilon: float = 1e-3):
    """Inference: the same affine map with the moving averages instead of batch statistics."""
    return gamma * (np.asarray(z, float) - moving_mean) / np.sqrt(moving_var + epsilon) + beta


def moving_average(batch_stats, momentum: float = 0.99, initial: float = 0.0):
    """Keras' update m ← momentum·m + (1 − momentum)·batch statistic, over a list of batches."""
    m = np.full_like(np.asarray(batch_stats[0], dtype=float), initial)
    for s in batch_stats:
        m = momentum * m + (1 - momentum) * np.asarray(s, dtype=float)
    return m


# --- the penalties on a small MNIST classifier -------------------------------------------------

VARIANTS = ("sin regularización", "L2", "L1", "dropout")


def regularized_dense(variant: str, l2: float = 1e-3, l1: float = 1e-4, rate: float = 0.25):
    """The thesis's dense architecture (784-128-128-10) with one kind of regularization."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; valid: {', '.join(VARIANTS)}.")
    reg = {"L2": keras.regularizers.L2(l2), "L1": keras.regularizers.L1(l1)}.get(variant)
    stack = [keras.Input((784,))]
    for _ in range(2):
        stack.append(layers.Dense(128, activation="relu", kernel_regularizer=reg))
        if variant == "dropout":
            stack.append(layers.Dropout(rate))
    stack.append(layers.Dense(10, activation="softmax", kernel_regularizer=reg))
    names = {"sin regularización": "no_regularization"}
    model = keras.Sequential(stack, name=names.get(variant, variant.lower()))
    # An epoch of the chapter's 2,000 images per compiled call: the same numbers, less overhead.
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=backend.steps_per_call(16))
    return model


def compare_regularizers(x_train, y_train, x_test, y_test, epochs: int, batch_size: int,
                         seed: int = 0, **strengths):
    """Train each variant with the same seed and data; return accuracies and first-layer weights."""
    results = {}
    for variant in VARIANTS:
        keras.utils.set_random_seed(seed)
        model = regularized_dense(variant, **strengths)
        model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
        _, train_acc = model.evaluate(x_train, y_train, verbose=0, batch_size=1024)
        _, test_acc = model.evaluate(x_test, y_test, verbose=0, batch_size=1024)
        results[variant] = {"train_accuracy": float(train_acc), "test_accuracy": float(test_acc),
                            "weights": model.layers[0].get_weights()[0].ravel()}
    return results


SMALL_WEIGHT = 1e-3  # "practically zero" for a layer-1 weight
ACCURACY_COLUMNS = ("exactitud en entrenamiento", "exactitud en prueba")
GAP = "brecha (puntos porcentuales)"
MEAN_WEIGHT = "|peso| medio (capa 1)"
NEAR_ZERO = "pesos con |w| < 10⁻³"


def summary_table(results):
    """One row per variant: accuracies, their gap, and the size and sparsity of layer-1 weights
    (column names in Spanish, as the book shows them)."""
    import pandas as pd
    frame = pd.DataFrame({v: {"exactitud en entrenamiento": r["train_accuracy"],
                              "exactitud en prueba": r["test_accuracy"],
                              GAP: 100 * (r["train_accuracy"] - r["test_accuracy"]),
                              MEAN_WEIGHT: np.abs(r["weights"]).mean(),
                              NEAR_ZERO: np.mean(np.abs(r["weights"]) < SMALL_WEIGHT)}
                          for v, r in results.items()}).T
    frame.index.name = "variante"
    return frame


def show_summary(summary):
    """:func:`summary_table` as the book shows it: accuracies, gap and near-zero share as
    percentages, the mean weight with four decimals (a pandas Styler)."""
    return table(summary, decimals={MEAN_WEIGHT: 4, GAP: 1}, percent=ACCURACY_COLUMNS + (NEAR_ZERO,))


def summary_numbers(summary, results, x_train, n_test: int) -> dict[str, str]:
    """The numbers the chapter's prose quotes from the MNIST comparison, as Spanish text keyed
    by their ``glue`` names (sizes of the data, best variant, spreads, L2 and L1 effects)."""
    test_acc = summary["exactitud en prueba"]
    mean_w, zero = summary[MEAN_WEIGHT], summary[NEAR_ZERO]
    blank, share_blank, live_small = near_zero_on_blank_pixels(results["L1"]["weights"],
                                                               x_train, SMALL_WEIGHT)
    return {"reg_n_train": num(len(x_train)),
            "reg_n_test": num(n_test),
            "reg_best": str(test_acc.idxmax()),
            "reg_spread": num(100 * (test_acc.max() - test_acc.min()), 1),
            "reg_train_min": pct(summary["exactitud en entrenamiento"].min(), 1),
            "reg_l2_ratio": num(mean_w["L2"] / mean_w["sin regularización"], 2),
            "reg_l2_zero": pct(zero["L2"], 1),  # as many decimals as the table
            "reg_l1_zero": pct(zero["L1"], 1),
            "reg_none_zero": pct(zero["sin regularización"], 1),
            "reg_blank": num(blank),
            "reg_share_blank": pct(share_blank, 0),
            "reg_live_small": pct(live_small, 0)}


# --- the same comparison over several seeds ---------------------------------------------------

SEED_COUNT = 3  # the book's floor for any statement about seed-to-seed variation
BASELINE = "sin regularización"


def compare_over_seeds(mnist, seeds, train_subset: int | None, test_subset: int | None,
                       epochs: int, batch_size: int) -> dict[int, dict]:
    """:func:`compare_regularizers` once per seed in ``seeds``; the seed draws the stratified
    training and test subsets and the initialisation, as the chapter's single run does.
    ``mnist`` is :func:`thesis_lib.data.load_mnist`'s pair. Returns {seed: results}."""

    (x_train_all, y_train_all), (x_test_all, y_test_all) = mnist
    out = {}
    for seed in seeds:
        x_train, y_train = (data.stratified_subset(x_train_all, y_train_all, train_subset, seed)
                            if train_subset else (x_train_all, y_train_all))
        x_test, y_test = (data.stratified_subset(x_test_all, y_test_all, test_subset, seed)
                          if test_subset else (x_test_all, y_test_all))
        out[seed] = compare_regularizers(
            data.scale_01(x_train).reshape(-1, 784), data.one_hot(y_train),
            data.scale_01(x_test).reshape(-1, 784), data.one_hot(y_test),
            epochs=epochs, batch_size=batch_size, seed=seed)
    return out


SEED_COLUMNS = ("semillas", "exactitud en prueba (media)", "desvío entre semillas (puntos)",
                "diferencia con la red sin regularizar (puntos)", "IC 95 % de la diferencia")


def seed_table(per_seed: dict[int, dict]):
    """Per variant, over the seeds of :func:`compare_over_seeds`: the number of seeds, the mean
    test accuracy, its sample sd in percentage points, and the paired difference with the
    unregularized network (same seed, same data) with its 95 % t interval (Spanish columns)."""
    import pandas as pd

    seeds = sorted(per_seed)
    acc = {v: np.array([per_seed[s][v]["test_accuracy"] for s in seeds]) for v in VARIANTS}
    rows = {}
    for v in VARIANTS:
        row = {SEED_COLUMNS[0]: num(len(seeds)), SEED_COLUMNS[1]: pct(acc[v].mean(), 1),
               SEED_COLUMNS[2]: num(100 * acc[v].std(ddof=1), 1) if len(seeds) > 1 else "—"}
        if v == BASELINE or len(seeds) < 2:
            row.update({SEED_COLUMNS[3]: "—", SEED_COLUMNS[4]: "—"})
        else:
            d = intervals.mean_interval(100 * (acc[v] - acc[BASELINE]))
            row.update({SEED_COLUMNS[3]: num(d["mean"], 1),
                        SEED_COLUMNS[4]: f"{num(d['low'], 1)} a {num(d['high'], 1)}"})
        rows[v] = row
    frame = pd.DataFrame(rows).T
    frame.index.name = "variante"
    return frame


def seed_numbers(per_seed: dict[int, dict]) -> dict[str, str]:
    """The sentence the chapter writes about the seeds, as glue texts: ``reg_seeds`` (how many),
    ``reg_seed_sd`` (range of the per-variant seed-to-seed sds, in points), ``reg_between``
    (range over seeds of the best-minus-worst spread between variants) and
    ``reg_seed_verdict`` (which paired differences with the unregularized network have a 95 %
    interval that excludes 0, or that none does)."""
    seeds = sorted(per_seed)
    if len(seeds) < SEED_COUNT:
        raise ValueError(f"a statement about seeds needs at least {SEED_COUNT}; got {len(seeds)}.")
    acc = {v: 100 * np.array([per_seed[s][v]["test_accuracy"] for s in seeds]) for v in VARIANTS}
    sds = [acc[v].std(ddof=1) for v in VARIANTS]
    between = [max(acc[v][i] for v in VARIANTS) - min(acc[v][i] for v in VARIANTS)
               for i in range(len(seeds))]
    clear = []
    for v in VARIANTS:
        if v == BASELINE:
            continue
        d = intervals.mean_interval(acc[v] - acc[BASELINE])
        if d["low"] > 0 or d["high"] < 0:
            word = "mejora" if d["low"] > 0 else "empeora"
            clear.append(f"{v} {word} ({num(d['low'], 1)} a {num(d['high'], 1)} puntos)")
    verdict = ("ninguno de los tres intervalos excluye el 0: con estas semillas no se puede "
               "afirmar que alguna variante generalice mejor o peor que la red sin regularizar"
               if not clear else "excluyen el 0: " + listing(clear))
    return {"reg_seeds": num(len(seeds)),
            "reg_seed_sd": f"{num(min(sds), 1)} a {num(max(sds), 1)}",
            "reg_between": f"{num(min(between), 1)} a {num(max(between), 1)}",
            "reg_seed_verdict": verdict}


def near_zero_on_blank_pixels(weights, x_train, threshold: float = 1e-3):
    """Blank pixels (0 in every training image) and where the near-zero layer-1 weights sit.

    Returns (number of blank pixels, share of near-zero weights that belong to blank pixels,
    share of the weights of non-blank pixels that are near zero).
    """
    small = np.abs(np.asarray(weights).reshape(784, -1)) < threshold
    blank = np.asarray(x_train).reshape(len(x_train), -1).max(axis=0) == 0
    return int(blank.sum()), float(small[blank].sum() / max(small.sum(), 1)), \
        float(small[~blank].mean())


def batch_norm_against_keras(batches, gamma, beta, momentum: float = 0.99, new_batch=None):
    """Run ``keras.layers.BatchNormalization`` in training mode over ``batches`` and compare it
    with :func:`batch_norm_train`, its moving averages with :func:`moving_average`, and (on
    ``new_batch``) inference with :func:`batch_norm_inference`. Returns the largest gaps and
    the moving mean. ``momentum`` is ρ in m ← ρ m + (1 − ρ) μ_B; 0.99 is Keras' default."""
    gamma, beta = np.asarray(gamma, dtype=float), np.asarray(beta, dtype=float)
    bn = keras.layers.BatchNormalization(momentum=momentum)
    bn.build((None, len(gamma)))
    bn.gamma.assign(gamma.astype("float32"))
    bn.beta.assign(beta.astype("float32"))
    train_gap, means, variances = 0.0, [], []
    for z in batches:
        ours, mu, var = batch_norm_train(z, gamma, beta, epsilon=bn.epsilon)
        theirs = keras.ops.convert_to_numpy(bn(np.asarray(z, "float32"), training=True))
        train_gap = max(train_gap, float(np.abs(theirs - ours).max()))
        means.append(mu)
        variances.append(var)
    m_mean = moving_average(means, momentum, initial=0.0)
    m_var = moving_average(variances, momentum, initial=1.0)
    moving_gap = float(max(np.abs(bn.moving_mean.numpy() - m_mean).max() / np.abs(m_mean).max(),
                           np.abs(bn.moving_variance.numpy() - m_var).max() / np.abs(m_var).max()))
    gaps = {"training": train_gap, "moving_averages_relative": moving_gap,
            "moving_mean": m_mean}
    if new_batch is not None:
        theirs = keras.ops.convert_to_numpy(bn(np.asarray(new_batch, "float32"), training=False))
        ours = batch_norm_inference(new_batch, gamma, beta, m_mean, m_var, bn.epsilon)
        gaps["inference"] = float(np.abs(theirs - ours).max())
    return gaps
