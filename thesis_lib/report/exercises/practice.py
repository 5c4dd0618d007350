"""Answers to the exercises of part 4 (Keras, MNIST, the classifiers and the DCGAN, thesis §4,
§4.1 and §4.2), computed from the data (:mod:`thesis_lib.data`), the Keras builders
(:mod:`thesis_lib.models.classifiers`), the metrics (:mod:`thesis_lib.evaluation.metrics`,
:mod:`thesis_lib.intervals`), the GAN engine's batching and latent paths
(:mod:`thesis_lib.gan.training`, :mod:`thesis_lib.gan.latent`) and first principles; never typed
into the prose, tested in ``tests/test_exercises.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from thesis_lib import data, intervals
from thesis_lib.evaluation import metrics
from thesis_lib.formatting import num, pct, sci
from thesis_lib.gan import latent
from thesis_lib.gan.training import EpochShuffled
from thesis_lib.models import classifiers
from thesis_lib.report.exercises.neural import conv_parameters, dense_parameters

# --- §4 Keras y MNIST (chapter 04-0) ----------------------------------------------------------


def chi_square_uniform(counts) -> dict[str, float]:
    """Pearson's goodness-of-fit test of ``counts`` against equal shares:
    X² = Σ (O − E)² / E with E = n / classes, and its p-value from χ² with classes − 1 degrees
    of freedom."""
    observed = np.asarray(counts, dtype=float)
    expected = observed.sum() / len(observed)
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    dof = len(observed) - 1
    return {"statistic": statistic, "dof": dof, "p_value": float(stats.chi2.sf(statistic, dof))}


def chi_square_homogeneity(counts_a, counts_b) -> dict[str, float]:
    """Pearson's test that two samples share the same class proportions: the 2 × classes table,
    expected counts row total × column total / n, X² = Σ (O − E)² / E, classes − 1 degrees of
    freedom."""
    table = np.array([counts_a, counts_b], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    dof = table.shape[1] - 1
    return {"statistic": statistic, "dof": dof, "p_value": float(stats.chi2.sf(statistic, dof))}


def guessing_accuracy(train_labels, test_labels) -> float:
    """Expected test accuracy of a classifier that ignores the image and draws a digit with the
    training proportions: Σ_d p_train(d) p_test(d)."""
    p = np.bincount(train_labels, minlength=10) / len(train_labels)
    q = np.bincount(test_labels, minlength=10) / len(test_labels)
    return float(p @ q)


def inked_per_image(x, threshold: int = 0) -> float:
    """Mean number of pixels above ``threshold`` per image (0: any ink at all)."""
    return float(np.mean((np.asarray(x) > threshold).sum(axis=(1, 2))))


def keras_mnist_answers(mnist=None) -> dict[str, str]:
    """Chapter 04-0: the size of MNIST in memory, a χ² test of equal digit shares and one of
    equal shares in training and test, the accuracy of guessing, and ink with a threshold."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist() if mnist is None else mnist
    as_bytes = x_train.nbytes + x_test.nbytes
    uniform = chi_square_uniform(np.bincount(y_train, minlength=10))
    same = chi_square_homogeneity(np.bincount(y_train, minlength=10),
                                  np.bincount(y_test, minlength=10))
    return {
        "ej_mnist_bytes": num(as_bytes),
        "ej_mnist_bytes_float": num(as_bytes * np.dtype("float32").itemsize),
        "ej_mnist_chi2": num(uniform["statistic"], 1),
        "ej_mnist_chi2_dof": num(uniform["dof"]),
        "ej_mnist_chi2_p": sci(uniform["p_value"], 1),
        "ej_mnist_homog": num(same["statistic"], 2),
        "ej_mnist_homog_p": num(same["p_value"], 2),
        "ej_mnist_always5": pct(np.mean(y_test == 5), 2),
        "ej_mnist_guess": pct(guessing_accuracy(y_train, y_test), 2),
        "ej_mnist_ink0": num(inked_per_image(x_train, 0), 1),
        "ej_mnist_ink127": num(inked_per_image(x_train, 127), 1),
        "ej_mnist_grey_share": pct(1 - inked_per_image(x_train, 127) / inked_per_image(x_train, 0), 0),
    }


# --- §4.1 Clasificadores (chapter 04-1) -------------------------------------------------------

# An invented confusion matrix of three easily confused digits (rows: true 4, 7, 9; columns:
# predicted 4, 7, 9).
EX_CONFUSION = np.array([[90, 1, 9], [2, 85, 13], [6, 4, 90]])
EX_DIGITS = (4, 7, 9)


def cnn_shapes(second_filters: int = 128) -> list[tuple[str, tuple[int, ...], int]]:
    """(layer name, output shape without the batch axis, parameters) of each layer of the
    §4.1 convolutional network, as Keras builds it."""
    model = classifiers.cnn_classifier(second_filters)
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers]


def cnn_parameters(second_filters: int = 128) -> int:
    """Parameters of the §4.1 convolutional network with ``second_filters`` in its second
    convolution (Keras's count)."""
    return classifiers.cnn_classifier(second_filters).count_params()


def accuracy_interval(accuracy: float, n: int = 10_000) -> tuple[float, float]:
    """The Wilson 95 % interval (:func:`thesis_lib.intervals.wilson`) of an accuracy measured on
    ``n`` test images."""
    return intervals.wilson(round(accuracy * n), n)


def classifiers_answers() -> dict[str, str]:
    """Chapter 04-1: the convolutional network's sizes and parameters layer by layer, the same
    count with 32 filters, precision, recall and F₁ of an invented confusion matrix, and the
    uncertainty of an accuracy measured on the 10 000 test images."""
    shapes = cnn_shapes()
    sizes = [s[1][0] for s in shapes if len(s[1]) == 3]  # the side of each image-like output
    flat = next(s[1][0] for s in shapes if len(s[1]) == 1)
    scores = metrics.precision_recall_f1(EX_CONFUSION)
    nine = EX_DIGITS.index(9)
    out = {"ej_clf_sizes": ", ".join(num(v) for v in [28, *sizes]),
           "ej_clf_flat": num(flat),
           "ej_clf_p_conv1": num(conv_parameters(3, 1, 64)),
           "ej_clf_p_conv2": num(conv_parameters(3, 64, 128)),
           "ej_clf_p_dense": num(dense_parameters(flat, 64)),
           "ej_clf_p_out": num(dense_parameters(64, 10)),
           "ej_clf_total": num(cnn_parameters(128)),
           "ej_clf_total32": num(cnn_parameters(32)),
           "ej_clf_prec9": num(scores["precision"][nine], 3),
           "ej_clf_rec9": num(scores["recall"][nine], 3),
           "ej_clf_f19": num(scores["f1"][nine], 3),
           "ej_clf_acc": pct(np.trace(EX_CONFUSION) / EX_CONFUSION.sum(), 1)}
    for name, acc in (("993", 0.993), ("976", 0.976)):
        low, high = accuracy_interval(acc)
        out[f"ej_clf_ci{name}"] = f"{pct(low, 2)} a {pct(high, 2)}"
        out[f"ej_clf_half{name}"] = num(100 * (high - low) / 2, 2)
    return out


# --- §4.2 DCGAN (chapter 04-2) ----------------------------------------------------------------

def transposed_output_size(n: int, k: int, stride: int, padding: str = "same") -> int:
    """The side of a Keras ``Conv2DTranspose`` output from a side ``n``: n·stride with
    ``padding="same"`` (the DCGAN's), (n − 1)·stride + k with ``"valid"`` (no padding removed:
    every input position spreads a whole k × k copy of the kernel; for k ≥ stride)."""
    if padding == "same":
        return n * stride
    if padding == "valid":
        return (n - 1) * stride + max(k, stride)
    raise ValueError(f"unknown padding {padding!r}; valid: same, valid.")


def dcgan_generator_parameters(latent_dim: int = 100, filters: int = 128) -> dict[str, int]:
    """Parameters of the §4.2 generator, layer by layer, by hand: a dense layer from z to
    7·7·``filters`` units, two 4 × 4 transposed convolutions of ``filters`` filters over
    ``filters`` channels, and a 7 × 7 convolution to one channel (LeakyReLU and Reshape have
    none)."""
    dense = dense_parameters(latent_dim, 7 * 7 * filters)
    tconv = conv_parameters(4, filters, filters)  # the same count as a convolution's
    out = conv_parameters(7, filters, 1)
    return {"dense": dense, "tconv": tconv, "out": out, "total": dense + 2 * tconv + out}


def dcgan_epoch(batch_size: int = 256, n_images: int = 60_000) -> dict[str, int]:
    """Steps per epoch and real images per epoch of the §4.2 training, from the engine's
    batching (:class:`thesis_lib.gan.training.EpochShuffled`: each step takes half a batch of
    real images, and a pass has ``n_images // batch_size`` steps)."""
    dataset = EpochShuffled(np.zeros((n_images, 1), dtype="uint8"), batch_size // 2)
    return {"steps": len(dataset), "real": len(dataset) * dataset.per_step}


def midpoint_norms(dim: int = 100, pairs: int = 2000, seed: int = 0) -> dict[str, float]:
    """Median norms of N(0, I_dim) points and of the midpoints of pairs of them, on the segment
    and on the great circle (:func:`thesis_lib.gan.latent.interpolate`, three points: the
    middle one), over ``pairs`` random pairs."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(pairs, 2, dim))
    mid = {m: np.median([np.linalg.norm(latent.interpolate(a, b, 3, m)[1]) for a, b in z])
           for m in ("linear", "slerp")}
    return {"point": float(np.median(np.linalg.norm(z[:, 0], axis=1))),
            "linear": float(mid["linear"]), "slerp": float(mid["slerp"])}


def inside_midpoint(dim: int) -> float:
    """The probability that a draw of N(0, I_dim) lies at most as far from the origin as the
    typical linear midpoint of two draws, whose squared norm is about dim/2: P(χ²_dim ≤ dim/2)."""
    return float(stats.chi2(dim).cdf(dim / 2))


def expected_minimum(n: int) -> float:
    """E[min of n independent N(0, 1)] = ∫ x · n φ(x) (1 − Φ(x))^(n−1) dx, by quadrature: how
    far below its mean the smallest of n equally good but noisy measurements falls, in standard
    deviations."""
    from scipy import integrate

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}.")
    density = lambda x: x * n * stats.norm.pdf(x) * stats.norm.sf(x) ** (n - 1)  # noqa: E731
    return float(integrate.quad(density, -12, 12, limit=200)[0])


def dcgan_answers() -> dict[str, str]:
    """Chapter 04-2: the generator's parameters layer by layer (and with latent dimension 50 and
    200), the transposed convolutions' sizes without padding, steps and real images per epoch
    with batches of 256 and 128, midpoint norms in 100 and 2 dimensions, and the expected
    minimum of 100 and 10 noisy measurements."""
    g = dcgan_generator_parameters()
    out = {"ej_dcgan_p_dense": num(g["dense"]), "ej_dcgan_p_tconv": num(g["tconv"]),
           "ej_dcgan_p_out": num(g["out"]), "ej_dcgan_p_total": num(g["total"]),
           "ej_dcgan_dense_share": pct(g["dense"] / g["total"], 1)}
    side = transposed_output_size(7, 4, 2, "valid")
    out["ej_dcgan_valid1"] = num(side)
    out["ej_dcgan_valid2"] = num(transposed_output_size(side, 4, 2, "valid"))
    for dim in (50, 200):
        other = dcgan_generator_parameters(dim)
        out[f"ej_dcgan_total{dim}"] = num(other["total"])
        out[f"ej_dcgan_share{dim}"] = pct(other["dense"] / other["total"], 1)
    for batch in (256, 128):
        epoch = dcgan_epoch(batch)
        out[f"ej_dcgan_steps{batch}"] = num(epoch["steps"])
        out[f"ej_dcgan_steps100_{batch}"] = num(100 * epoch["steps"])
        out[f"ej_dcgan_real{batch}"] = num(epoch["real"])
    out["ej_dcgan_real_share"] = pct(dcgan_epoch(256)["real"] / 60_000, 1)
    norms = midpoint_norms()
    out["ej_dcgan_norm_point"] = num(norms["point"], 1)
    out["ej_dcgan_norm_linear"] = num(norms["linear"], 1)
    out["ej_dcgan_norm_slerp"] = num(norms["slerp"], 1)
    out["ej_dcgan_inside100"] = sci(inside_midpoint(100), 1)
    out["ej_dcgan_inside2"] = pct(inside_midpoint(2), 0)
    out["ej_dcgan_min100"] = num(expected_minimum(100), 2)
    out["ej_dcgan_min10"] = num(expected_minimum(10), 2)
    return out
