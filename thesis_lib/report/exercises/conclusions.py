"""Answers to the exercises of the conclusions (thesis §5): intervals over a few seeds, paired
and unpaired comparisons, the size of a test set for a given precision, what each design of the
scarce-data study shows the classifier, and the advantage of keeping the best of many GAN
epochs. Computed from :mod:`thesis_lib.intervals`, the study's settings
(:class:`thesis_lib.profiles.ScarceDataConfig`) and first principles; never typed into the
prose, tested in ``tests/test_exercises.py``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from thesis_lib import intervals, profiles
from thesis_lib.formatting import num
from thesis_lib.report.exercises.practice import expected_minimum
from thesis_lib.report.remedies import welch_interval as welch


def student_quantile(n: int, level: float = 0.95) -> float:
    """The quantile q of the Student interval of a mean over ``n`` values (n − 1 degrees of
    freedom), the one :func:`thesis_lib.intervals.mean_interval` uses."""
    return float(stats.t.ppf(0.5 + level / 2, n - 1))


def student_half_width(n: int, level: float = 0.95) -> float:
    """Half the width of that interval in units of the values' standard deviation: q/√n."""
    return student_quantile(n, level) / math.sqrt(n)


# Invented test accuracies of three seeds (the same seed, the same N images in both variants):
# the seeds differ a lot from one another, the variants little within a seed.
EX_ALONE = (0.700, 0.780, 0.740)
EX_GAN = (0.715, 0.790, 0.760)


def paired_interval(baseline, variant, level: float = 0.95) -> dict:
    """The Student interval of the mean of ``variant − baseline``, seed by seed (what the
    chapter's paired table does, :func:`thesis_lib.intervals.mean_interval`)."""
    return intervals.mean_interval(np.asarray(variant, float) - np.asarray(baseline, float),
                                   level)


def welch_interval(baseline, variant, level: float = 0.95) -> dict:
    """The unpaired (Welch) interval of mean(variant) − mean(baseline), by chapter 3.2's
    :func:`thesis_lib.report.remedies.welch_interval` from each group's mean, sd and size."""
    a, b = np.asarray(baseline, float), np.asarray(variant, float)
    return welch(b.mean(), b.std(ddof=1), len(b), a.mean(), a.std(ddof=1), len(a), level)


def wilson_half_width(p: float, n: int, level: float = 0.95) -> float:
    """Half the width of the Wilson interval of a share ``p`` measured on ``n`` items:
    z/(1 + z²/n) · √(p(1 − p)/n + z²/(4n²))."""
    z = stats.norm.ppf(0.5 + level / 2)
    return float(z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)))


def items_for_half_width(p: float, half: float, level: float = 0.95) -> int:
    """The fewest items n whose Wilson interval of a share ``p`` is at most ``half`` wide on
    each side (the half-width falls as n grows: a bisection)."""
    low, high = 1, 2
    while wilson_half_width(p, high, level) > half:
        high *= 2
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if wilson_half_width(p, mid, level) <= half else (mid, high)
    return high


def real_views(config=None) -> dict[str, int]:
    """How many real images each classifier of the scarce-data study sees, over its updates:
    design 2 (every variant: ``classifier_steps`` batches of ``classifier_batch`` real images,
    the GAN's ``synthetic_per_batch`` samples on top) and design 1 (the GAN variants' batches
    were half generated)."""
    config = config or profiles.get_config("scarce_data", "full")
    real = config.classifier_steps * config.classifier_batch
    return {"design2": real, "design1_gan": real // 2,
            "synthetic": config.classifier_steps * config.synthetic_per_batch,
            "per_image_100": real // 100}


def selection_advantage(epochs: int, samples: int, share: float) -> float:
    """How much better, in expectation, the best of ``epochs`` measurements of the same share
    ``share`` looks than it is, when each is measured on ``samples`` fresh items: the expected
    maximum of ``epochs`` normals (:func:`~thesis_lib.report.exercises.practice.
    expected_minimum`, with the sign turned) times the standard error √(p(1 − p)/samples)."""
    return -expected_minimum(epochs) * math.sqrt(share * (1 - share) / samples)


def _points(x: float, decimals: int = 1) -> str:
    return num(100 * x, decimals)


def _interval(ci: dict) -> str:
    return f"{_points(ci['low'])} a {_points(ci['high'])} puntos"


def conclusions_answers() -> dict[str, str]:
    """Chapter 05: Student quantiles and half-widths for 2 to 10 seeds, a paired and an unpaired
    interval of the same invented data (and the paired one with the seeds mismatched), the
    Wilson half-width on 10 000 test images and the test set a narrower one needs, the real
    images each design shows the classifier, and the advantage of keeping the best GAN epoch."""
    out = {"ej_conc_z": num(stats.norm.ppf(0.975), 2)}
    for n in (2, 3, 5, 10):
        out[f"ej_conc_t{n}"] = num(student_quantile(n), 2)
        out[f"ej_conc_half{n}"] = num(student_half_width(n), 2)
    paired = paired_interval(EX_ALONE, EX_GAN)
    out["ej_conc_diff"] = f"{_points(paired['mean'])} puntos"
    out["ej_conc_paired"] = _interval(paired)
    out["ej_conc_welch"] = _interval(welch_interval(EX_ALONE, EX_GAN))
    mismatched = EX_GAN[1:] + EX_GAN[:1]  # the second seed's gan against the first's alone, …
    out["ej_conc_mismatched"] = _interval(paired_interval(EX_ALONE, mismatched))
    out["ej_conc_wilson_half"] = f"{_points(wilson_half_width(0.993, 10_000), 2)} puntos"
    out["ej_conc_n_needed"] = num(items_for_half_width(0.993, 0.0005))
    views = real_views()
    config = profiles.get_config("scarce_data", "full")
    out["ej_conc_steps"] = num(config.classifier_steps)
    out["ej_conc_batch"] = num(config.classifier_batch)
    out["ej_conc_synthetic_batch"] = num(config.synthetic_per_batch)
    out["ej_conc_real2"] = num(views["design2"])
    out["ej_conc_real1"] = num(views["design1_gan"])
    out["ej_conc_synthetic"] = num(views["synthetic"])
    out["ej_conc_per_image"] = num(views["per_image_100"])
    out["ej_conc_epochs"] = num(config.gan_max_epochs)
    out["ej_conc_agreement_n"] = num(config.agreement_samples)
    out["ej_conc_max_sd"] = num(-expected_minimum(config.gan_max_epochs), 2)
    advantage = selection_advantage(config.gan_max_epochs, config.agreement_samples, 0.9)
    out["ej_conc_advantage"] = f"{_points(advantage)} puntos"
    return out
