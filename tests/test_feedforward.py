"""thesis_lib.nn.feedforward (thesis §2.2): activations, depth, dying ReLU, XOR, approximation."""

import numpy as np
import pytest
from keras import ops

from thesis_lib import backend
from thesis_lib.nn import feedforward as F
from thesis_lib.profiles import get_config


def test_xor_with_the_thesis_weights_reproduces_every_matrix():
    pre, hidden, out = F.xor_forward(**F.THESIS_XOR)
    np.testing.assert_array_equal(pre, [[0, 1, 1, 2], [-1, 0, 0, 1]])
    np.testing.assert_array_equal(hidden, [[0, 1, 1, 2], [0, 0, 0, 1]])
    np.testing.assert_array_equal(out, [0, 1, 1, 0])


def test_xor_forward_table_has_a_row_per_unit_and_stage():
    table = F.xor_forward_table(*F.xor_forward(**F.THESIS_XOR))
    assert list(table.columns) == list(F.XOR_POINTS) and len(table) == 5
    np.testing.assert_array_equal(table.iloc[1], [-1, 0, 0, 1])
    np.testing.assert_array_equal(table.iloc[-1], [0, 1, 1, 0])


def test_activation_names_use_the_decimal_comma():
    # The names are figure titles and table rows in the book.
    assert F.leaky_relu_name(0.05) == "Leaky ReLU (a = 0,05)"
    assert not any("." in name for name in F.ACTIVATIONS)


@pytest.mark.parametrize("name", list(F.ACTIVATIONS))
def test_autodiff_derivative_equals_closed_form(name):
    x = np.array([-4.0, -1.3, -0.2, 0.0, 0.4, 1.7, 5.0])
    values, autodiff, closed = F.activation_curves(x)[name]
    np.testing.assert_allclose(autodiff, closed, rtol=1e-5, atol=1e-6)
    fn = F.ACTIVATIONS[name][0]
    np.testing.assert_allclose(values, ops.convert_to_numpy(fn(ops.convert_to_tensor(
        x, "float32"))), rtol=1e-6)


def test_numpy_backprop_through_depth_matches_the_framework():
    depth, width, n = 4, 6, 5
    weights, x = F.deep_chain(depth, width, n, seed=3)
    fn = F.ACTIVATIONS["tanh"][0]

    def from_first_preactivation(a1):  # Σ output as a function of a_1
        h = fn(a1)
        for w in weights[1:]:
            h = fn(ops.matmul(h, ops.convert_to_tensor(w, "float32")))
        return ops.sum(h)

    _, (grad,) = backend.gradient(from_first_preactivation, x @ weights[0])
    norms = F.gradient_norms_through_depth("tanh", depth, width, n, seed=3)
    assert norms[0] == pytest.approx(np.linalg.norm(grad) / np.sqrt(n), rel=1e-4)


def test_sigmoid_gradients_vanish_and_relu_gradients_do_not():
    sig = F.gradient_norms_through_depth("sigmoide", depth=20)
    relu = F.gradient_norms_through_depth("ReLU", depth=20)
    assert sig[0] / sig[-1] < 1e-9
    assert relu[0] / relu[-1] > 1e-3


def test_dying_relu_has_exactly_zero_gradient():
    grad_w, grad_b, active = F.dead_relu_gradient(bias=-5.0)
    assert active == 0.0 and np.all(grad_w == 0) and grad_b == 0
    grad_w, grad_b, _ = F.dead_relu_gradient(bias=-5.0, negative_slope=0.05)
    assert np.all(np.abs(grad_w) > 1e-3)


def test_stacked_training_equals_training_each_net_alone():
    together = F.train_xor_nets([0, 1, 2], epochs=300)
    alone = F.train_xor_nets([1], epochs=300)
    np.testing.assert_allclose(together.predictions[1], alone.predictions[0], atol=1e-5)
    np.testing.assert_allclose(together.hidden[1], alone.hidden[0], atol=1e-5)
    # The stored output layer is the one that produced the predictions.
    for i in range(3):
        w, b = together.output_layer(i)
        np.testing.assert_allclose(together.hidden[i] @ w + b, together.predictions[i], atol=1e-5)


def test_xor_training_outcomes_are_classified_and_some_succeed():
    runs = F.train_xor_nets(range(40), epochs=2000)
    counts = runs.outcome_counts()
    assert sum(counts.values()) == 40
    assert 0 < counts.get("resuelve XOR", 0) < 40
    solved = np.flatnonzero(runs.solved)
    np.testing.assert_array_equal(np.round(runs.predictions[solved]), np.tile(F.XOR_Y,
                                                                             (len(solved), 1)))
    # A unit whose two incoming weights start negative never fires (zero bias): dead at init.
    assert np.all(runs.dead_units >= 0) and runs.dead_at_init.max() <= 2


def test_error_falls_with_width():
    rmse, grid, pred = F.fit_widths([1, 8], steps=1500, learning_rate=0.02)
    assert pred.shape == (2, len(grid))
    assert rmse[1] < rmse[0] / 4


def test_feedforward_profile_validation():
    assert get_config("feedforward", "full").xor_seeds == 1000
    assert get_config("feedforward", ua_widths=[1, 2]).ua_widths == (1, 2)
    with pytest.raises(ValueError, match="ua_widths"):
        get_config("feedforward", ua_widths=[0, 2])


def test_xor_hidden_figure_draws_where_the_output_is_one_half():
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    _, hidden, out = F.xor_forward(**F.THESIS_XOR)
    fig, (ax,) = plotting.new_figure(1)
    plotting.plot_xor_hidden(ax, hidden.T, "tesis", (F.THESIS_XOR["theta2"], F.THESIS_XOR["b"]))
    lines = [line for line in ax.get_lines() if line.get_label() == "salida = ½"]
    plt.close(fig)
    assert len(lines) == 1
    h1, h2 = lines[0].get_data()
    np.testing.assert_allclose(h1 - 2 * h2, 0.5)  # θ⁽²⁾ = (1, −2), b = 0
