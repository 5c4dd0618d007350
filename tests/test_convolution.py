"""thesis_lib.nn.convolution: explicit loops against Keras layers and hand counts (thesis §2.6)."""

import keras
import numpy as np
import pytest

from thesis_lib.nn import convolution as C

IMAGE = np.array([[10, 10, 10, 0, 0],
                  [10, 10, 10, 0, 0],
                  [10, 10, 10, 0, 0],
                  [10, 10, 10, 0, 0],
                  [10, 10, 10, 0, 0]], dtype=float)


def test_vertical_edge_by_hand():
    out = C.conv2d(IMAGE, C.VERTICAL_EDGE)
    np.testing.assert_array_equal(out, [[0, 30, 30]] * 3)
    assert out[0, 1] == np.sum(IMAGE[0:3, 1:4] * C.VERTICAL_EDGE)


@pytest.mark.parametrize("stride", [1, 2])
def test_loops_equal_keras_conv2d(stride):
    rng = np.random.default_rng(stride)
    image = rng.integers(0, 256, size=(5, 5)).astype(float)
    np.testing.assert_allclose(C.conv2d(image, C.VERTICAL_EDGE, stride),
                               C.keras_conv2d(image, C.VERTICAL_EDGE, stride), atol=1e-3)


def test_same_padding_is_one_pixel_of_zeros_for_3x3():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(5, 5)), rng.normal(size=(3, 3))
    np.testing.assert_allclose(C.conv2d(image, kernel, padding=1),
                               C.keras_conv2d(image, kernel, padding="same"), atol=1e-5)


def test_stride_positions():
    assert C.conv2d(IMAGE, C.VERTICAL_EDGE, stride=1).size == 9
    assert C.conv2d(IMAGE, C.VERTICAL_EDGE, stride=2).size == 4  # the thesis's "four"


@pytest.mark.parametrize("n, k, s, padding", [(5, 3, 1, "valid"), (5, 3, 2, "valid"),
                                              (28, 3, 1, "valid"), (28, 3, 2, "same"),
                                              (14, 4, 2, "same"), (7, 7, 1, "same")])
def test_output_size_formula_matches_keras_shapes(n, k, s, padding):
    p = {"valid": 0, "same": (k - 1) // 2}[padding]
    layer = keras.layers.Conv2D(1, k, strides=s, padding=padding)
    keras_n = layer.compute_output_shape((1, n, n, 1))[1]
    if padding == "same":  # Keras' 'same' pads to ceil(n / s), which the formula reproduces
        assert keras_n == -(-n // s)      # when (k - 1) is split evenly or the stride fits
    else:
        assert keras_n == C.output_size(n, k, s, p)


def test_visit_counts_thesis_claims():
    # Thesis: centre 4 times, corners once, the rest twice: true for a 3x3 image, 2x2 filter.
    np.testing.assert_array_equal(C.visit_counts((3, 3), 2), [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    # For the 5x5 image with the 3x3 filter the centre is visited 9 times.
    assert C.visit_counts((5, 5), 3)[2, 2] == 9 and C.visit_counts((5, 5), 3)[0, 0] == 1
    # 'same' padding does not equalise the visits; padding k - 1 does.
    same = C.visit_counts((5, 5), 3, padding=1)
    assert same[0, 0] == 4 and same[2, 2] == 9
    assert np.all(C.visit_counts((5, 5), 3, padding=2) == 9)


POOL = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]], float)


@pytest.mark.parametrize("mode, expected", [("max", [[20, 30], [112, 37]]),
                                            ("avg", [[13, 8], [79, 19.5]]),
                                            ("min", [[8, 0], [34, 4]])])
def test_pooling_by_hand_and_by_keras(mode, expected):
    np.testing.assert_allclose(C.pool2d(POOL, 2, mode=mode), expected)
    np.testing.assert_allclose(C.keras_pool2d(POOL, 2, mode=mode), expected, atol=1e-4)


def test_unknown_pooling_mode():
    with pytest.raises(ValueError, match="max, avg, min"):
        C.pool2d(POOL, 2, mode="median")


def test_nearest_upsampling():
    x = np.array([[1, 2], [3, 4]], float)
    expected = [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    np.testing.assert_array_equal(C.upsample_nearest(x), expected)
    np.testing.assert_allclose(C.keras_upsample(x), expected)


def test_transposed_convolution_2x2_to_3x3():
    x, k = np.array([[2, 4], [1, 3]], float), np.array([[1, 2], [2, 1]], float)
    by_hand = [[2, 8, 8], [5, 15, 10], [2, 7, 3]]  # 2k, 4k, 1k, 3k pasted and summed
    np.testing.assert_array_equal(C.conv_transpose2d(x, k), by_hand)
    np.testing.assert_allclose(C.keras_conv_transpose2d(x, k), by_hand, atol=1e-4)
    assert C.transpose_overlaps((2, 2), 2, 1).tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_strided_transposed_convolution_equals_keras_and_shows_checkerboard():
    rng = np.random.default_rng(3)
    x, k = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    np.testing.assert_allclose(C.conv_transpose2d(x, k, 2),
                               C.keras_conv_transpose2d(x, k, 2), atol=1e-5)
    uneven = C.transpose_overlaps((4, 4), 3, 2)   # kernel 3, stride 2: 1, 2, 4 overlaps
    assert set(np.unique(uneven[2:-2, 2:-2])) == {1, 2, 4}
    even = C.transpose_overlaps((4, 4), 4, 2)     # kernel divisible by stride: flat inside
    assert set(np.unique(even[2:-2, 2:-2])) == {4}


def test_dense_versus_convolutional_connections():
    dense = keras.layers.Dense(5, use_bias=False)
    dense.build((None, 5))
    conv = keras.layers.Conv1D(1, 3, padding="same", use_bias=False)
    conv.build((None, 5, 1))
    assert dense.count_params() == 25
    assert np.count_nonzero(C.conv1d_matrix(5, 3)) == 13   # the thesis's 13: connections
    assert conv.count_params() == 3                          # shared weights: 3 parameters
    w = np.array([0.5, -1.0, 2.0], dtype="float32")
    conv.set_weights([w[:, None, None]])
    v = np.arange(1, 6, dtype="float32")
    matrix = C.conv1d_matrix(5, 3) * 0  # the layer as a matrix, built column by column
    for j in range(5):
        matrix[:, j] = keras.ops.convert_to_numpy(conv(np.eye(5, dtype="float32")[j][None, :, None]))[0, :, 0]
    assert np.count_nonzero(matrix) == 13
    np.testing.assert_allclose(matrix @ v, keras.ops.convert_to_numpy(conv(v[None, :, None]))[0, :, 0],
                               rtol=1e-6)


def test_plot_matrices_writes_entries_with_a_decimal_comma():
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    pooled = C.pool2d(np.array([[12, 20, 30, 0], [8, 12, 2, 0],
                                [34, 70, 37, 4], [112, 100, 25, 12]], float), 2, mode="avg")
    fig = plotting.plot_matrices([(pooled, "media")])
    texts = [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    assert texts == ["13", "8", "79", "19,5"]


def test_plot_matrices_entries_read_at_column_width():
    # Three 5 × 5 matrices in a row, as the chapter shows the convolution: the digits must stay
    # well above the book's minimum (the student's review found 9-point digits too small).
    import matplotlib.pyplot as plt

    from thesis_lib import plotting
    fig = plotting.plot_matrices([(np.eye(5), "a"), (np.eye(3), "b"), (np.eye(3), "c")], size=2.3)
    plotting.finish_figure(fig)
    smallest, _ = plotting.smallest_text_px(fig)
    plt.close(fig)
    assert smallest >= 14
