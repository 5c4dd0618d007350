"""The MNIST overview of §4's opening: counts, pixel statistics and mosaics, against hand
computations on tiny arrays and against MNIST's documented class counts."""

import keras
import numpy as np
import pytest

from thesis_lib.report import mnist_data as data_summary


def tiny():
    x_train = np.zeros((4, 2, 2), dtype="uint8")
    x_train[0, 0, 0], x_train[1, 1, 1], x_train[1, 0, 1] = 255, 10, 10
    y_train = np.array([0, 1, 1, 2])
    x_test = np.full((2, 2, 2), 255, dtype="uint8")
    return (x_train, y_train), (x_test, np.array([3, 3]))


def test_class_counts_and_shares():
    counts = data_summary.class_counts(tiny())
    assert counts["entrenamiento"].tolist()[:4] == [1, 2, 1, 0]
    assert counts["prueba"].tolist()[3] == 2
    assert counts["% entrenamiento"].tolist()[:3] == [25.0, 50.0, 25.0]
    assert counts["% prueba"].sum() == pytest.approx(100)


def test_pixel_summary_by_hand():
    s = data_summary.pixel_summary(tiny())
    train = s.loc["entrenamiento"]
    assert train["images"] == 4 and train["min"] == 0 and train["max"] == 255
    assert train["mean"] == pytest.approx((255 + 10 + 10) / 16)
    assert train["share_zero"] == pytest.approx(13 / 16)
    assert train["share_255"] == pytest.approx(1 / 16)
    assert train["inked_per_image"] == pytest.approx(3 / 4)
    assert s.loc["prueba", "share_255"] == 1.0
    table = data_summary.pixel_table(s)
    assert table.loc["píxeles exactamente 0 (fondo)", "entrenamiento"] == "81,2 %"


def test_mnist_class_counts_are_the_documented_ones(mnist):
    counts = data_summary.class_counts(mnist)
    # LeCun's MNIST page: 5,923 zeros and 6,742 ones in training; 980 and 1,135 in test.
    assert counts.loc[0, "entrenamiento"] == 5923 and counts.loc[1, "entrenamiento"] == 6742
    assert counts.loc[0, "prueba"] == 980 and counts.loc[1, "prueba"] == 1135
    assert counts["entrenamiento"].sum() + counts["prueba"].sum() == 70_000
    assert counts["% prueba"].idxmax() == 1 and counts["% prueba"].idxmin() == 5


def test_mnist_pixels_are_0_to_255_and_mostly_background(mnist):
    s = data_summary.pixel_summary(mnist)
    assert (s["height"] == 28).all() and (s["width"] == 28).all()
    assert (s["min"] == 0).all() and (s["max"] == 255).all()
    assert (s["share_zero"] > 0.75).all()


def test_examples_come_from_their_class_and_follow_the_seed():
    x = np.arange(40 * 4, dtype="uint8").reshape(40, 2, 2)
    y = np.repeat(np.arange(10), 4)
    a = data_summary.examples_per_class(x, y, 3, seed=1)
    assert a.shape == (10, 3, 2, 2)
    for d in range(10):
        for img in a[d]:
            assert y[np.flatnonzero((x == img).all(axis=(1, 2)))[0]] == d
    np.testing.assert_array_equal(a, data_summary.examples_per_class(x, y, 3, seed=1))


def test_mean_images_and_most_frequent_ink():
    x = np.array([[[0, 2]], [[4, 2]], [[9, 9]]], dtype="uint8")
    means = data_summary.mean_images(np.concatenate([x] * 10), np.repeat(np.arange(10), 3))
    assert means.shape == (10, 1, 2)
    np.testing.assert_allclose(means[0], [[13 / 3, 13 / 3]])
    assert data_summary.most_frequent_ink(x) == 2  # 0 is background, 2 the most frequent ink


def test_mosaic_places_each_image_with_gaps():
    rows = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)
    m = data_summary.mosaic(rows, gap=1, fill=-1)
    assert m.shape == (2 * 3 - 1, 3 * 3 - 1)
    np.testing.assert_array_equal(m[3:5, 6:8], rows[1, 2])
    assert m[2, 0] == -1 and m[0, 2] == -1


def test_figures_have_one_or_two_panels(mnist):
    (x, y), _ = mnist
    assert len(data_summary.plot_examples(data_summary.examples_per_class(x, y, 2)).axes) == 1
    counts = data_summary.class_counts(mnist)
    assert len(data_summary.plot_shares_and_pixels(counts, x[:100]).axes) == 2
    assert len(data_summary.plot_mean_images(data_summary.mean_images(x, y)).axes) == 1


def test_keras_loads_mnist_with_load_data_not_load_dataset():
    # The thesis (§4) names keras' loader load_dataset(); the function is load_data().
    assert callable(keras.datasets.mnist.load_data)
    assert not hasattr(keras.datasets.mnist, "load_dataset")


def test_filter_grids_share_one_colour_bar_and_no_titles():
    """Chapter 4.1's filters and maps: panels in reading order without per-panel titles, one
    colour bar for all of them (they share one scale)."""
    import matplotlib
    matplotlib.use("Agg")
    from thesis_lib import plotting
    images = np.random.default_rng(0).normal(size=(16, 3, 3))
    fig = plotting.finish_figure(data_summary.plot_filter_grid(
        images, cmap="RdBu", vmin=-2, vmax=2, label="peso"))
    panels = [ax for ax in fig.axes if ax.get_images()]
    bars = [ax for ax in fig.axes if not ax.get_images()]
    assert len(panels) == 16 and not any(ax.get_title() for ax in panels)
    assert len(bars) == 1 and bars[0].get_ylabel() == "peso"
    assert all(ax.get_images()[0].get_clim() == (-2, 2) for ax in panels)
