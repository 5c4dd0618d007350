"""thesis_lib.nn.autodiff against the thesis's worked example (§2.5), finite differences and the
framework's automatic differentiation (a second, independent implementation)."""

import math

import keras
import numpy as np
import pytest

from thesis_lib import backend
from thesis_lib.nn.autodiff import Scalar, finite_differences, thesis_graph


def thesis_f(x, y, z):
    return max((x + y) * z, 0.0)


def test_thesis_forward_and_backward_values():
    f, nodes = thesis_graph()
    assert (nodes["v"].value, nodes["u"].value, f.value) == (1.0, 2.0, 2.0)
    f.backward()
    assert (nodes["x"].grad, nodes["y"].grad, nodes["z"].grad) == (2.0, 2.0, 1.0)
    assert (nodes["v"].grad, nodes["u"].grad, f.grad) == (2.0, 1.0, 1.0)


def test_thesis_gradient_by_finite_differences():
    np.testing.assert_allclose(finite_differences(thesis_f, [-2.0, 3.0, 2.0]), [2, 2, 1],
                               atol=1e-6)


def test_thesis_gradient_by_the_framework():
    value, grads = backend.gradient(
        lambda x, y, z: keras.ops.relu((x + y) * z), -2.0, 3.0, 2.0)
    assert value == pytest.approx(2.0)
    np.testing.assert_allclose(grads, [2, 2, 1], atol=1e-6)


@pytest.mark.all_backends
def test_compiled_gradient_function_equals_the_plain_gradient_and_is_reusable():
    def with_aux(x, w):
        each = keras.ops.tanh(keras.ops.matmul(x, w))[:, 0] ** 2
        return keras.ops.sum(each), each

    compiled = backend.gradient_function(with_aux)
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 1))
    for n in (5, 4, 2):  # the batch shrinks, as in a walk whose points arrive one by one
        x = rng.normal(size=(n, 3))
        value, each, grads = compiled(x, w)
        plain_value, plain_grads = backend.gradient(lambda a, b: with_aux(a, b)[0], x, w)
        assert value == pytest.approx(plain_value, rel=1e-5) and each.shape == (n,)
        np.testing.assert_allclose(each.sum(), value, rtol=1e-5)
        for g, plain in zip(grads, plain_grads):
            np.testing.assert_allclose(g, plain, rtol=1e-4, atol=1e-6)


def test_relu_kink_and_negative_side():
    f, nodes = thesis_graph(x=-4.0, y=3.0, z=2.0)  # u = -2 < 0: the ReLU blocks the gradient
    f.backward()
    assert f.value == 0 and [nodes[k].grad for k in "xyz"] == [0.0, 0.0, 0.0]


def expression(a, b, c, exp, tanh, sigmoid, relu):
    """A mixed expression used with both scalar implementations."""
    d = a * b + c ** 2 - a / (1 + sigmoid(c))
    e = tanh(d) * exp(b * 0.3) + relu(a - c) * 2
    return e * e + d


def scalar_ops():
    return dict(exp=Scalar.exp, tanh=Scalar.tanh, sigmoid=Scalar.sigmoid, relu=Scalar.relu)


def float_ops():
    return dict(exp=math.exp, tanh=math.tanh, sigmoid=lambda t: 1 / (1 + math.exp(-t)),
                relu=lambda t: max(t, 0.0))


@pytest.mark.parametrize("point", [(0.5, -1.2, 0.8), (2.0, 0.3, -1.5), (-1.0, 1.0, 0.1)])
def test_random_expression_matches_finite_differences_and_framework(point):
    inputs = [Scalar(v) for v in point]
    out = expression(*inputs, **scalar_ops())
    out.backward()
    ours = [s.grad for s in inputs]
    fd = finite_differences(lambda a, b, c: expression(a, b, c, **float_ops()), list(point))
    np.testing.assert_allclose(ours, fd, rtol=1e-5, atol=1e-6)
    ops = keras.ops
    k_ops = dict(exp=ops.exp, tanh=ops.tanh, sigmoid=ops.sigmoid, relu=ops.relu)
    value, grads = backend.gradient(lambda a, b, c: expression(a, b, c, **k_ops), *point)
    assert value == pytest.approx(out.value, rel=1e-5)
    np.testing.assert_allclose(ours, grads, rtol=1e-4, atol=1e-5)  # float32 in the framework


def test_shared_node_accumulates_gradient():
    a = Scalar(3.0)
    out = a * a + a  # d/da = 2a + 1 = 7
    out.backward()
    assert a.grad == 7.0


def test_backward_twice_gives_the_same_gradients():
    f, nodes = thesis_graph()
    f.backward()
    f.backward()
    assert nodes["x"].grad == 2.0


def test_constants_and_graph_labels_use_the_decimal_comma():
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    x = Scalar(1.0, name="x")
    f = (x * 0.5 + 2.25).named("f")
    f.backward()
    assert sorted(p.name for p, _ in f.parents[0][0].parents) == ["0,5", "x"]
    fig, ax = plt.subplots()
    plotting.plot_computational_graph(ax, f)
    labels = {t.get_text() for t in ax.texts}
    plt.close(fig)
    assert {"f = 2,75", "0,5", "2,25"} <= labels
    assert not any("." in t for t in labels)
