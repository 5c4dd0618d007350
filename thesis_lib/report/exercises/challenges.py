"""Answers to the exercises of chapter 3.2 (the two difficulties, thesis §3.2): how many modes a
perfect generator covers by chance with few samples, the mode histogram's KL, the share of a
perfect generator's samples inside VEEGAN's 3σ criterion, and what two of the steerable toy
GAN's kept runs did. Computed from first principles, from
:func:`thesis_lib.studies.toy.mixtures.mode_stats` and from the kept runs' cards; tested in
``tests/test_exercises.py``.
"""

from __future__ import annotations

import math

import numpy as np

from thesis_lib.formatting import num, pct
from thesis_lib.studies.toy import mixtures
from thesis_lib.studies.toy import playground as pg


def expected_modes_covered(n: int, modes: int = 8) -> float:
    """E[modes that receive at least one of ``n`` samples] for a generator that puts each
    sample on a uniformly chosen mode: modes · (1 − (1 − 1/modes)ⁿ)."""
    return modes * (1.0 - (1.0 - 1.0 / modes) ** n)


def all_modes_covered(n: int, modes: int = 8) -> float:
    """P(every mode receives at least one of ``n`` uniform samples), by inclusion–exclusion."""
    return float(sum((-1) ** j * math.comb(modes, j) * (1.0 - j / modes) ** n
                     for j in range(modes + 1)))


def mode_histogram_kl(occupied: int, modes: int = 8, per_mode: int = 100) -> float:
    """KL(p ‖ uniform) of the mode histogram (VEEGAN's, :func:`mixtures.mode_stats`) of samples
    spread evenly over the first ``occupied`` modes of the ring, exactly at their centres."""
    centers = mixtures.ring_centers(modes)
    samples = np.repeat(centers[:occupied], per_mode, axis=0)
    return float(mixtures.mode_stats(samples, centers, 0.02)["kl"])


def perfect_share_within(threshold: float = 3.0) -> float:
    """The share of a perfect ring generator's samples (2-D Gaussians) within ``threshold``
    standard deviations of their centre: P(χ₂ ≤ t) = 1 − exp(−t²/2)."""
    return 1.0 - math.exp(-threshold ** 2 / 2)


def kept_final_modes(choice: pg.Choice) -> tuple[int, int]:
    """(modes covered at the end, modes of the data) of a kept toy run (its card)."""
    metrics = pg.load(choice)["card"]["metrics"]
    return int(metrics["modes_captured"][-1]), int(metrics["modes"])


COLLAPSE = pg.Choice("ring", "minimax", 5, 1e-3)
CALM = pg.Choice("ring", "minimax", 1, 1e-4)
WGAN_ONE = pg.Choice("mixture1d", "wasserstein_gp", 1, 1e-4)
WGAN_FIVE = pg.Choice("mixture1d", "wasserstein_gp", 5, 1e-4)


def challenges_answers() -> dict[str, str]:
    """Chapter 03-2: modes covered by chance, the mode histogram's KL, the 3σ share, and the
    kept toy runs the two "Cambie" exercises point to."""
    out = {"ej_chal_cover10": num(expected_modes_covered(10), 2),
           "ej_chal_cover50": num(expected_modes_covered(50), 2),
           "ej_chal_all20": pct(all_modes_covered(20), 0),
           "ej_chal_all50": pct(all_modes_covered(50), 0),
           "ej_chal_kl1": num(mode_histogram_kl(1), 2),
           "ej_chal_kl4": num(mode_histogram_kl(4), 2),
           "ej_chal_kl8": num(mode_histogram_kl(8), 2),
           "ej_chal_within": pct(perfect_share_within(), 1)}
    for name, choice in (("collapse", COLLAPSE), ("calm", CALM), ("wgan1", WGAN_ONE),
                         ("wgan5", WGAN_FIVE)):
        modes, of = kept_final_modes(choice)
        out[f"ej_chal_{name}"] = f"{num(modes)} de {num(of)}"
    return out
