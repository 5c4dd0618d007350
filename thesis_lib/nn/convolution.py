"""Convolution, pooling and upsampling written as explicit loops (thesis §2.6).

These are the reference implementations the chapter compares with Keras layers. Like every
deep-learning framework, "convolution" here is cross-correlation: the filter is not flipped.
Arrays are 2-D (one channel); padding is symmetric zero padding of ``padding`` pixels.
"""

from __future__ import annotations

import numpy as np

VERTICAL_EDGE = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=float)


def output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """⌊(n + 2p − k) / s⌋ + 1 positions of a k-wide filter along an axis of length n."""
    if k > n + 2 * padding:
        raise ValueError(f"filter of size {k} does not fit in {n} pixels with padding {padding}.")
    return (n + 2 * padding - k) // stride + 1


def _pad(image, padding):
    return np.pad(np.asarray(image, dtype=float), padding) if padding else np.asarray(image, float)


def conv2d(image, kernel, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Slide ``kernel`` over ``image``; each output is the sum of elementwise products."""
    x, k = _pad(image, padding), np.asarray(kernel, dtype=float)
    kh, kw = k.shape
    oh = output_size(x.shape[0], kh, stride)
    ow = output_size(x.shape[1], kw, stride)
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.sum(window * k)
    return out


def visit_counts(shape, k: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """How many filter positions cover each pixel of the (unpadded) image."""
    counts = np.zeros((shape[0] + 2 * padding, shape[1] + 2 * padding), dtype=int)
    for i in range(output_size(shape[0], k, stride, padding)):
        for j in range(output_size(shape[1], k, stride, padding)):
            counts[i * stride:i * stride + k, j * stride:j * stride + k] += 1
    return counts[padding:padding + shape[0], padding:padding + shape[1]]


def pool2d(image, size: int = 2, stride: int | None = None, mode: str = "max") -> np.ndarray:
    """Max, average or min pooling over ``size`` × ``size`` windows (no parameters)."""
    reducers = {"max": np.max, "avg": np.mean, "min": np.min}
    if mode not in reducers:
        raise ValueError(f"unknown pooling mode {mode!r}; use one of {', '.join(reducers)}.")
    x, stride = np.asarray(image, dtype=float), stride or size
    oh, ow = output_size(x.shape[0], size, stride), output_size(x.shape[1], size, stride)
    return np.array([[reducers[mode](x[i * stride:i * stride + size, j * stride:j * stride + size])
                      for j in range(ow)] for i in range(oh)])


def upsample_nearest(image, factor: int = 2) -> np.ndarray:
    """Each pixel copied into a ``factor`` × ``factor`` block (nearest-neighbour upsampling)."""
    x = np.asarray(image, dtype=float)
    out = np.zeros((x.shape[0] * factor, x.shape[1] * factor))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[i // factor, j // factor]
    return out


def conv_transpose2d(image, kernel, stride: int = 1) -> np.ndarray:
    """Each input pixel scales the whole filter, pasted at stride offsets; overlaps add up."""
    x, k = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    kh, kw = k.shape
    out = np.zeros(((x.shape[0] - 1) * stride + kh, (x.shape[1] - 1) * stride + kw))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i * stride:i * stride + kh, j * stride:j * stride + kw] += x[i, j] * k
    return out


def transpose_overlaps(input_shape, k: int, stride: int) -> np.ndarray:
    """How many input pixels contribute to each output pixel of a transposed convolution."""
    return conv_transpose2d(np.ones(input_shape), np.ones((k, k)), stride).astype(int)


def conv1d_matrix(n: int, k: int) -> np.ndarray:
    """The n × n matrix of a 1-D 'same' convolution with a k-tap filter of ones.

    Its non-zero entries are the connections of the layer (figure 30 of the thesis).
    """
    eye = np.eye(n)
    half = k // 2
    cols = [np.convolve(eye[i], np.ones(k), mode="full")[half:half + n] for i in range(n)]
    return np.array(cols).T


# --- the same operations through Keras layers, for comparison ------------------------------

def _as_batch(image):
    return np.asarray(image, dtype="float32")[np.newaxis, :, :, np.newaxis]


def _run(layer, image):
    import keras
    out = layer(keras.ops.convert_to_tensor(_as_batch(image)))
    return np.asarray(keras.ops.convert_to_numpy(out), dtype=float)[0, :, :, 0]


def keras_conv2d(image, kernel, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """``keras.layers.Conv2D`` with one filter set to ``kernel`` and no bias."""
    import keras
    k = np.asarray(kernel, dtype="float32")
    layer = keras.layers.Conv2D(1, k.shape, strides=stride, padding=padding, use_bias=False)
    layer.build((1, *np.shape(image), 1))
    layer.set_weights([k[:, :, np.newaxis, np.newaxis]])
    return _run(layer, image)


def keras_pool2d(image, size: int = 2, mode: str = "max") -> np.ndarray:
    """Keras max/average pooling; min pooling as −max(−x) (Keras has no min-pooling layer)."""
    import keras
    if mode == "min":
        return -keras_pool2d(-np.asarray(image, dtype=float), size, "max")
    layer = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}[mode](size)
    return _run(layer, image)


def keras_upsample(image, factor: int = 2) -> np.ndarray:
    import keras
    return _run(keras.layers.UpSampling2D(factor, interpolation="nearest"), image)


def keras_conv_transpose2d(image, kernel, stride: int = 1) -> np.ndarray:
    """``keras.layers.Conv2DTranspose`` ('valid' padding) with one filter set to ``kernel``."""
    import keras
    k = np.asarray(kernel, dtype="float32")
    layer = keras.layers.Conv2DTranspose(1, k.shape, strides=stride, padding="valid",
                                         use_bias=False)
    layer.build((1, *np.shape(image), 1))
    layer.set_weights([k[:, :, np.newaxis, np.newaxis]])
    return _run(layer, image)
