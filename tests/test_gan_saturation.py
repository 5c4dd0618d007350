"""The saturation trace of §4.2's tanh finding (thesis_lib.studies.saturation): its measures against
closed forms, and a short trace that runs."""

import numpy as np
import pytest

from thesis_lib.report import saturation as saturation_report
from thesis_lib.studies import saturation


@pytest.mark.parametrize("output, activation", [
    ("tanh", np.tanh), ("sigmoid", lambda a: 1 / (1 + np.exp(-a)))])
def test_pre_activation_inverts_the_activation(output, activation):
    a = np.linspace(-6, 6, 49)
    np.testing.assert_allclose(saturation.pre_activation(activation(a), output), a, atol=1e-6)


def test_a_pixel_is_saturated_where_the_slope_is_below_one_percent_of_its_largest():
    # tanh' = 1 - tanh² < 0.01 beyond |a| = artanh(sqrt(0.99)) ≈ 2.99; for the sigmoid,
    # 4σ(1 − σ) < 0.01 beyond |a| ≈ 5.99 (σ'(0) = 1/4 is its largest slope)
    bound_tanh = np.arctanh(np.sqrt(0.99))
    p = (1 - np.sqrt(0.99)) / 2
    bound_sigmoid = np.log((1 - p) / p)
    assert bound_tanh == pytest.approx(2.993, abs=1e-3)
    assert bound_sigmoid == pytest.approx(5.986, abs=1e-3)
    a = np.array([-10.0, -bound_tanh - 0.01, -bound_tanh + 0.01, 0.0, bound_tanh + 0.01])
    assert saturation.saturated_share(np.tanh(a), "tanh") == pytest.approx(3 / 5)
    s = 1 / (1 + np.exp(-np.array([-bound_sigmoid - 0.01, -bound_sigmoid + 0.01, 0.0, 7.0])))
    assert saturation.saturated_share(s, "sigmoid") == pytest.approx(2 / 4)


def test_in_float32_tanh_reaches_minus_one_and_its_slope_from_the_output_is_exactly_zero():
    # what TensorFlow, JAX and PyTorch compute for tanh's gradient: 1 - y² from the output y
    a = np.float32(-10.0)
    y = np.tanh(a)
    assert y == np.float32(-1.0) and np.float32(1) - y * y == 0.0
    s = np.float32(1) / (np.float32(1) + np.exp(-a))  # the sigmoid at the same point
    assert s * (np.float32(1) - s) > 4e-5


def test_a_short_trace_records_every_few_steps(mnist):
    rows = saturation.trace("tanh", steps=4, seed=0, every=2, mnist=mnist, train_subset=512)
    assert [r["step"] for r in rows] == [0, 2, 4]
    for row in rows:
        assert 0 <= row["saturated"] <= 1 and 0 <= row["mean_pixel"] <= 1
        assert row["spread"] >= 0 and 0 <= row["d_fake"] <= 1
    assert "g_loss" in rows[-1] and "d_loss" in rows[-1]


def _card(kind, seed, saturated, pre):
    rows = [{"step": 5 * i, "saturated": s, "pre_activation": p, "spread": 0.01,
             "mean_pixel": 0.1, "d_fake": 0.5, "d_real": 0.5}
            for i, (s, p) in enumerate(zip(saturated, pre))]
    return {"trace": kind, "seed": seed, "steps": 5 * (len(rows) - 1), "rows": rows}


def test_facts_count_when_and_whether_runs_saturate():
    traces = {"tanh": [_card("tanh", 0, [0, 0.5, 0.95, 0.99], [0, -2, -6, -8.2]),
                       _card("tanh", 1, [0, 0.92, 0.97, 1.0], [0, -4, -7, -8.0])],
              "sigmoid": [_card("sigmoid", 0, [0, 0.95, 0.2, 0.1], [0, -9, -1, -0.5]),
                          _card("sigmoid", 1, [0, 0.3, 0.6, 0.7], [0, -1, -3, -4])]}
    got = saturation_report.facts(traces)
    assert got["trace_seeds"] == "2" and got["trace_steps"] == "15"
    assert got["tanh_first"] == "10 y 5" and got["sigmoid_first"] == "5 y nunca"
    assert got["tanh_ended_saturated"] == "las dos corridas"
    assert got["sigmoid_ended_saturated"] == "ninguna de las dos corridas"
    assert got["tanh_end_pre"] == "−8,2 y −8,0"
    assert saturation_report.numbers(["−8,3", "−8,1", "−8,0"]) == "−8,3; −8,1 y −8,0"
    assert saturation_report.runs_text(2, 3) == "dos de las tres corridas"
    assert got["sigmoid_max_saturated"] == "95,0\u00a0%"
    assert got["sigmoid_recovered"] == "ninguna de las dos corridas"
    assert got["sigmoid_recovery_step"] == "nunca y nunca"
    assert saturation.recovery_step(traces["sigmoid"][0]["rows"], low=0.25) == 10
    assert got["tanh_pre_mean"] == "−8,1"  # the seeds' mean; 1 − tanh²(−8,1) ≈ 3,7 · 10⁻⁷
    assert got["tanh_slope"] == "4\u00a0·\u00a010⁻⁷"


def test_the_figure_has_three_panels_and_one_legend_entry_per_kind():
    traces = {"tanh": [_card("tanh", s, [0, 0.5, 1.0], [0, -3, -8]) for s in (0, 1)],
              "tanh_batchnorm": [_card("tanh_batchnorm", 0, [0, 0, 0.01], [0, -1, -2])]}
    fig = saturation_report.plot_traces(traces)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 3
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "tanh", "tanh con normalización por lotes"]
    assert len(axes[0].lines) == 3  # one line per seed
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_the_run_card_names_seeds_code_hardware_and_time():
    traces = {"tanh": [{**_card("tanh", s, [0, 1], [0, -8]), "precision": "float32",
                        "hardware": "2 × CPU X (CPU), backend tensorflow", "seconds": 300.0,
                        "environment": {"commit": "abc1234"}} for s in (0, 1, 2)]}
    text = saturation_report.run_card(traces)
    assert "semillas 0, 1 y 2" in text and "5 pasos por corrida" in text
    assert "float32" in text and "motor TensorFlow" in text and "abc1234" in text
    assert "15 minutos de proceso para las 3 corridas" in text
