"""Chapter 3.2's exercise answers (thesis_lib.report.exercises.challenges) against independent
references: simulation, Stirling numbers, closed forms."""

import math

import numpy as np
import pytest

from thesis_lib.report.exercises import challenges as ch
from thesis_lib.studies.toy import mixtures
from thesis_lib.studies.toy import playground as pg


def _stirling2(n, k):
    """Stirling numbers of the second kind by their recurrence (a second route to the
    probability that n uniform draws hit every one of k modes: k! S(n, k) / kⁿ)."""
    table = [[0] * (k + 1) for _ in range(n + 1)]
    table[0][0] = 1
    for i in range(1, n + 1):
        for j in range(1, k + 1):
            table[i][j] = j * table[i - 1][j] + table[i - 1][j - 1]
    return table[n][k]


@pytest.mark.parametrize("n", [8, 10, 20, 50])
def test_all_modes_covered_equals_the_stirling_count(n):
    exact = math.factorial(8) * _stirling2(n, 8) / 8 ** n
    assert ch.all_modes_covered(n) == pytest.approx(exact, rel=1e-9)
    assert ch.all_modes_covered(7) == pytest.approx(0.0, abs=1e-12)


def test_modes_covered_by_a_perfect_generator_match_a_simulation():
    """Samples of the true ring counted by VEEGAN's protocol, 400 draws of 10 samples."""
    centers = mixtures.ring_centers()
    covered = [mixtures.mode_stats(mixtures.mixture(10, centers, 0.02, seed)[0], centers,
                                   0.02)["modes_captured"] for seed in range(400)]
    assert np.mean(covered) == pytest.approx(ch.expected_modes_covered(10), abs=0.12)
    assert ch.expected_modes_covered(1) == pytest.approx(1.0)


def test_the_mode_histograms_kl_is_log_of_modes_over_occupied():
    for occupied in (1, 2, 4, 8):
        assert ch.mode_histogram_kl(occupied) == pytest.approx(math.log(8 / occupied),
                                                               abs=1e-9)


def test_a_perfect_generators_share_within_three_sigma_matches_a_simulation():
    centers = mixtures.ring_centers()
    samples, _ = mixtures.ring_of_gaussians(20_000, seed=3)
    share = mixtures.mode_stats(samples, centers, 0.02)["high_quality"]
    assert share == pytest.approx(ch.perfect_share_within(), abs=0.004)


@pytest.mark.skipif(not (pg.default_dir() / ch.COLLAPSE.key / "card.json").is_file(),
                    reason="the playground's runs are not kept here")
def test_the_kept_runs_the_exercises_point_to_show_what_their_answers_say():
    collapse, calm = ch.kept_final_modes(ch.COLLAPSE), ch.kept_final_modes(ch.CALM)
    assert collapse[0] < calm[0] == calm[1] == 8
    one, five = ch.kept_final_modes(ch.WGAN_ONE), ch.kept_final_modes(ch.WGAN_FIVE)
    assert one[0] < five[0] == five[1] == 2
