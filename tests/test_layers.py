"""thesis_lib.models.layers: the stock layers' numbers, fast gradients on JAX, and a fast
few-filter Conv2D on JAX and TensorFlow."""

import itertools

import keras
import numpy as np
import pytest
from keras import ops

from thesis_lib import backend
from thesis_lib.models.layers import Conv2D, Conv2DTranspose

# (constructor arguments, input shape): the DCGAN's first transposed convolution (§4.2), then
# small ones covering valid padding, stride 1, odd and non-square sizes, kernel < stride,
# output_padding and channels_first.
CONFIGS = [
    (dict(filters=128, kernel_size=4, strides=2, padding="same"), (2, 7, 7, 128)),
    (dict(filters=3, kernel_size=3, strides=1, padding="valid"), (2, 5, 6, 4)),
    (dict(filters=3, kernel_size=3, strides=2, padding="valid"), (2, 5, 7, 4)),
    (dict(filters=2, kernel_size=3, strides=2, padding="same", activation="relu"), (1, 5, 3, 3)),
    (dict(filters=3, kernel_size=(3, 2), strides=(2, 3), padding="same"), (2, 5, 6, 4)),
    (dict(filters=3, kernel_size=1, strides=2, padding="valid"), (2, 3, 4, 2)),
    (dict(filters=3, kernel_size=3, strides=2, padding="same", output_padding=0), (2, 5, 6, 4)),
    (dict(filters=3, kernel_size=2, strides=3, padding="valid", output_padding=2), (2, 4, 3, 2)),
    (dict(filters=2, kernel_size=3, strides=1, padding="same", use_bias=False), (2, 4, 5, 3)),
    (dict(filters=2, kernel_size=3, strides=1, padding="same", dilation_rate=2), (2, 6, 5, 3)),
]
IDS = [f"{c['kernel_size']}-s{c['strides']}-{c['padding']}-{s[1]}x{s[2]}x{s[3]}"
       + ("-op" if "output_padding" in c else "") + ("-dil" if "dilation_rate" in c else "")
       for c, s in CONFIGS]


def _tf_cpu_lacks_dilated_transpose() -> bool:
    """TensorFlow's Conv2DBackpropInput has no dilated CPU kernel on some CPUs (seen on AMD EPYC:
    "Current CPU implementations do not yet support dilation rates larger than 1"), so neither
    the stock layer nor ours can run a dilated transposed convolution there."""
    if backend.name() != "tensorflow":
        return False
    try:
        keras.layers.Conv2DTranspose(1, 3, dilation_rate=2, padding="same")(
            np.zeros((1, 4, 4, 1), "float32"))
    except Exception as error:  # noqa: BLE001 - TensorFlow's InvalidArgumentError
        return "dilation rates larger than 1" in str(error)
    return False


TF_CPU_LACKS_DILATION = _tf_cpu_lacks_dilated_transpose()


def pair(config, input_shape, dtype=None, seed=0):
    """A stock layer and the new one, built, with the same (random, non-zero bias) weights."""
    if config.get("dilation_rate", 1) != 1 and TF_CPU_LACKS_DILATION:
        pytest.skip("TensorFlow has no dilated transposed convolution on this CPU (stock layer "
                    "included); the JAX and PyTorch reruns check this case")
    keras.utils.set_random_seed(seed)
    kwargs = dict(config, dtype=dtype, bias_initializer="random_normal")
    if not kwargs.get("use_bias", True):
        del kwargs["bias_initializer"]
    stock, new = keras.layers.Conv2DTranspose(**kwargs), Conv2DTranspose(**kwargs)
    stock.build(input_shape)
    new.build(input_shape)
    new.set_weights(stock.get_weights())
    return stock, new


def random(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def to_np(t):
    return np.asarray(ops.convert_to_numpy(ops.cast(t, "float32")), dtype=np.float64)


def assert_rel_close(actual, desired, rtol):
    scale = max(np.max(np.abs(desired)), 1e-12)
    np.testing.assert_allclose(np.asarray(actual) / scale, np.asarray(desired) / scale,
                               rtol=0, atol=rtol)


def value_and_grads(layer, x, upstream):
    """Σ upstream · layer(x) and its gradients w.r.t. the layer's weights and x."""
    upstream = ops.convert_to_tensor(upstream, "float32")

    def loss(*args):
        out, _ = layer.stateless_call(list(args[:-1]), [], args[-1])
        return ops.sum(ops.cast(out, "float32") * upstream)
    weights = [to_np(w) for w in layer.trainable_weights]
    return backend.gradient(loss, *weights, x)


@pytest.mark.all_backends
def test_same_variables_and_config_as_the_stock_layer():
    stock, new = pair(*CONFIGS[0])
    assert [(w.path.split("/")[-1], tuple(w.shape)) for w in new.weights] == \
           [(w.path.split("/")[-1], tuple(w.shape)) for w in stock.weights] == \
           [("kernel", (4, 4, 128, 128)), ("bias", (128,))]
    same = lambda config: {k: v for k, v in config.items() if k != "name"}  # noqa: E731
    assert same(new.get_config()) == same(stock.get_config())
    assert type(new).__name__ == "Conv2DTranspose"  # describe_layer reads the class name
    assert keras.saving.get_registered_name(Conv2DTranspose) == "thesis_lib>Conv2DTranspose"


@pytest.mark.all_backends
@pytest.mark.parametrize("config,input_shape", CONFIGS, ids=IDS)
def test_forward_equals_the_stock_layer(config, input_shape):
    stock, new = pair(config, input_shape)
    x = random(input_shape, 1)
    expected = to_np(stock(x))
    assert expected.shape == tuple(new.compute_output_shape(input_shape))
    np.testing.assert_allclose(to_np(new(x)), expected, rtol=0, atol=1e-5)


@pytest.mark.all_backends
@pytest.mark.parametrize("config,input_shape", CONFIGS, ids=IDS)
def test_gradients_equal_the_stock_layer(config, input_shape):
    stock, new = pair(config, input_shape)
    x = random(input_shape, 1)
    upstream = random(stock.compute_output_shape(input_shape), 2)
    value, grads = value_and_grads(new, x, upstream)
    stock_value, stock_grads = value_and_grads(stock, x, upstream)
    assert_rel_close(value, stock_value, 1e-5)
    assert len(grads) == len(stock_grads) == len(stock.trainable_weights) + 1
    for g, ref in zip(grads, stock_grads):  # kernel, (bias,) input
        assert_rel_close(g, ref, 1e-4)


@pytest.mark.all_backends
@pytest.mark.parametrize("dtype", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_matches_the_stock_layer(dtype):
    config, input_shape = dict(filters=16, kernel_size=4, strides=2, padding="same"), (4, 7, 7, 8)
    stock, new = pair(config, input_shape, dtype=dtype)
    x = random(input_shape, 1)
    out, stock_out = new(x), stock(x)
    assert ops.dtype(out) == ops.dtype(stock_out) == dtype.removeprefix("mixed_")
    np.testing.assert_allclose(to_np(out), to_np(stock_out), rtol=0, atol=1e-2)
    upstream = random(stock.compute_output_shape(input_shape), 2)
    _, grads = value_and_grads(new, x, upstream)
    _, stock_grads = value_and_grads(stock, x, upstream)
    for g, ref in zip(grads, stock_grads):  # 16-bit products: a looser tolerance
        assert_rel_close(g, ref, 2e-2)


# --- independent reference: transposed convolution written out in float64 numpy ---------------

def numpy_conv_transpose(x, kernel, stride, padding):
    """Keras' Conv2DTranspose by its definition: each input pixel scales the kernel, pasted at
    stride offsets (no flip); 'same' keeps input × stride pixels starting at TensorFlow's
    top/left padding of the matching forward convolution, max(k − s, 0) // 2."""
    n, h, w, _ = x.shape
    kh, kw, filters, _ = kernel.shape
    full = np.zeros((n, (h - 1) * stride + max(kh, stride), (w - 1) * stride + max(kw, stride),
                     filters))
    for p, q in itertools.product(range(h), range(w)):
        full[:, p * stride:p * stride + kh, q * stride:q * stride + kw, :] += np.einsum(
            "nc,ijfc->nijf", x[:, p, q, :], kernel)
    if padding == "valid":
        return full
    top, left = max(kh - stride, 0) // 2, max(kw - stride, 0) // 2
    return full[:, top:top + h * stride, left:left + w * stride, :]


def central_differences(fn, array, eps=1e-6):
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        step = np.zeros_like(array)
        step[idx] = eps
        grad[idx] = (fn(array + step) - fn(array - step)) / (2 * eps)
    return grad


TINY = [  # (filters, kernel, stride, padding, input shape)
    (1, 3, 2, "same", (1, 2, 2, 1)),  # the smallest case with overlapping kernel copies
    (3, 3, 2, "valid", (2, 3, 2, 2)),
    (2, 4, 2, "same", (2, 3, 3, 2)),
]


@pytest.mark.all_backends
@pytest.mark.parametrize("filters,k,stride,padding,input_shape", TINY)
def test_against_numpy_and_finite_differences(filters, k, stride, padding, input_shape):
    layer = Conv2DTranspose(filters, k, strides=stride, padding=padding, use_bias=False)
    layer.build(input_shape)
    kernel = np.random.default_rng(3).standard_normal((k, k, filters, input_shape[-1]))
    layer.set_weights([kernel.astype("float32")])
    x = np.random.default_rng(4).standard_normal(input_shape)
    expected = numpy_conv_transpose(x, kernel, stride, padding)
    np.testing.assert_allclose(to_np(layer(x.astype("float32"))), expected, rtol=0, atol=1e-5)

    upstream = np.random.default_rng(5).standard_normal(expected.shape)
    d_kernel = central_differences(
        lambda kk: np.sum(upstream * numpy_conv_transpose(x, kk, stride, padding)), kernel)
    d_x = central_differences(
        lambda xx: np.sum(upstream * numpy_conv_transpose(xx, kernel, stride, padding)), x)
    _, (g_kernel, g_x) = value_and_grads(layer, x, upstream.astype("float32"))
    assert_rel_close(g_kernel, d_kernel, 1e-5)
    assert_rel_close(g_x, d_x, 1e-5)


# --- files -----------------------------------------------------------------------------------

def model(layer_class, **kwargs):
    return keras.Sequential([keras.Input((7, 7, 8)), layer_class(4, 4, strides=2, padding="same",
                                                                 **kwargs),
                             keras.layers.Conv2D(1, 3, padding="same")])


@pytest.mark.all_backends
def test_weight_files_move_between_the_stock_and_the_new_layer(tmp_path):
    x = random((2, 7, 7, 8), 1)
    keras.utils.set_random_seed(0)
    stock = model(keras.layers.Conv2DTranspose, bias_initializer="random_normal")
    stock.save_weights(tmp_path / "stock.weights.h5")
    new = model(Conv2DTranspose)
    new.load_weights(tmp_path / "stock.weights.h5")
    for a, b in zip(new.get_weights(), stock.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(to_np(new(x)), to_np(stock(x)), rtol=0, atol=1e-5)

    new.save_weights(tmp_path / "new.weights.h5")
    back = model(keras.layers.Conv2DTranspose)
    back.load_weights(tmp_path / "new.weights.h5")
    for a, b in zip(back.get_weights(), stock.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.all_backends
def test_keras_file_reloads_with_the_new_layer(tmp_path):
    x = random((2, 7, 7, 8), 1)
    new = model(Conv2DTranspose, activation="relu", bias_initializer="random_normal")
    new.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    assert type(loaded.layers[0]) is Conv2DTranspose
    assert loaded.layers[0].get_config() == new.layers[0].get_config()
    np.testing.assert_allclose(to_np(loaded(x)), to_np(new(x)), rtol=0, atol=1e-6)


# --- which path runs -------------------------------------------------------------------------

@pytest.mark.all_backends
@pytest.mark.parametrize("config,input_shape", [CONFIGS[0], CONFIGS[-1]], ids=["dcgan", "dil"])
def test_fast_path_only_on_jax_for_supported_configurations(monkeypatch, config, input_shape):
    calls = []
    parent_call = keras.layers.Conv2DTranspose.call
    monkeypatch.setattr(keras.layers.Conv2DTranspose, "call",
                        lambda self, inputs: calls.append(1) or parent_call(self, inputs))
    _, new = pair(config, input_shape)
    x = random(input_shape, 1)
    new(x)
    fast = backend.name() == "jax" and config.get("dilation_rate", 1) == 1
    assert calls == ([] if fast else [1])
    if fast:
        import jax
        jaxpr = jax.make_jaxpr(jax.value_and_grad(
            lambda k: ops.sum(new.stateless_call([k, new.bias.value], [], x)[0])))(
            new.kernel.value)
        dilations = [tuple(eqn.params["lhs_dilation"]) for eqn in jaxpr.jaxpr.eqns
                     if eqn.primitive.name == "conv_general_dilated"]
        # No convolution of a zero-dilated input ('lhs_dilation'), the form XLA's CPU backend
        # computes slowly: the two gradient convolutions at the top level (the forward's s²
        # phase convolutions may sit in a nested jaxpr).
        assert len(dilations) >= 2 and set(dilations) == {(1, 1)}, dilations


# --- Conv2D: few filters as one matmul plus shifted sums on JAX -------------------------------

CONV_CONFIGS = [  # the DCGAN generator's last layer (§4.2), then small and fallback cases
    (dict(filters=1, kernel_size=7, padding="same", activation="sigmoid"), (2, 28, 28, 128)),
    (dict(filters=3, kernel_size=(3, 2), padding="same"), (2, 6, 5, 4)),
    (dict(filters=2, kernel_size=4, padding="same", activation="tanh"), (2, 7, 6, 3)),
    (dict(filters=2, kernel_size=3, padding="valid"), (2, 6, 7, 3)),
    (dict(filters=1, kernel_size=3, padding="same", use_bias=False), (1, 4, 4, 2)),
    (dict(filters=8, kernel_size=3, padding="same"), (2, 5, 5, 3)),  # fallbacks:
    (dict(filters=2, kernel_size=3, strides=2, padding="same"), (2, 6, 6, 3)),
    (dict(filters=2, kernel_size=3, padding="same", dilation_rate=2), (2, 6, 6, 3)),
]
CONV_IDS = [f"f{c['filters']}-k{c['kernel_size']}-{c['padding']}-{s[1]}x{s[2]}x{s[3]}"
            + ("-s2" if "strides" in c else "") + ("-dil" if "dilation_rate" in c else "")
            for c, s in CONV_CONFIGS]


def conv_pair(config, input_shape, dtype=None, seed=0):
    keras.utils.set_random_seed(seed)
    kwargs = dict(config, dtype=dtype)
    if kwargs.get("use_bias", True):
        kwargs["bias_initializer"] = "random_normal"
    stock, new = keras.layers.Conv2D(**kwargs), Conv2D(**kwargs)
    stock.build(input_shape)
    new.build(input_shape)
    new.set_weights(stock.get_weights())
    return stock, new


@pytest.mark.all_backends
def test_conv2d_same_variables_and_config_as_the_stock_layer():
    stock, new = conv_pair(*CONV_CONFIGS[0])
    assert [(w.path.split("/")[-1], tuple(w.shape)) for w in new.weights] == \
           [(w.path.split("/")[-1], tuple(w.shape)) for w in stock.weights] == \
           [("kernel", (7, 7, 128, 1)), ("bias", (1,))]
    same = lambda config: {k: v for k, v in config.items() if k != "name"}  # noqa: E731
    assert same(new.get_config()) == same(stock.get_config())
    assert type(new).__name__ == "Conv2D" and isinstance(new, keras.layers.Conv2D)
    assert keras.saving.get_registered_name(Conv2D) == "thesis_lib>Conv2D"


@pytest.mark.all_backends
@pytest.mark.parametrize("config,input_shape", CONV_CONFIGS, ids=CONV_IDS)
def test_conv2d_forward_and_gradients_equal_the_stock_layer(config, input_shape):
    stock, new = conv_pair(config, input_shape)
    x = random(input_shape, 1)
    expected = to_np(stock(x))
    assert_rel_close(to_np(new(x)), expected, 1e-5)
    if backend.name() == "torch" and not config.get("use_bias", True):
        # torch's slow_conv2d backward of Keras' stock Conv2D without bias raises "grad_weight
        # must be contiguous"; both layers run the parent's call there, so only the forward
        # pass (above) is compared on torch.
        return
    upstream = random(expected.shape, 2)
    value, grads = value_and_grads(new, x, upstream)
    stock_value, stock_grads = value_and_grads(stock, x, upstream)
    assert_rel_close(value, stock_value, 1e-5)
    assert len(grads) == len(stock_grads)
    for g, ref in zip(grads, stock_grads):  # kernel, (bias,) input
        assert_rel_close(g, ref, 1e-4)


@pytest.mark.all_backends
@pytest.mark.parametrize("dtype", ["mixed_bfloat16", "mixed_float16"])
def test_conv2d_mixed_precision_matches_the_stock_layer(dtype):
    stock, new = conv_pair(dict(filters=2, kernel_size=3, padding="same"), (2, 6, 6, 8), dtype)
    x = random((2, 6, 6, 8), 1)
    out, stock_out = new(x), stock(x)
    assert ops.dtype(out) == ops.dtype(stock_out) == dtype.removeprefix("mixed_")
    np.testing.assert_allclose(to_np(out), to_np(stock_out), rtol=0, atol=2e-2)
    upstream = random((2, 6, 6, 2), 2)
    _, grads = value_and_grads(new, x, upstream)
    _, stock_grads = value_and_grads(stock, x, upstream)
    for g, ref in zip(grads, stock_grads):
        assert_rel_close(g, ref, 2e-2)


def numpy_conv2d(x, kernel, padding):
    kh, kw = kernel.shape[:2]
    if padding == "same":
        x = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
    h, w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    return sum(np.einsum("nhwc,cf->nhwf", x[:, i:i + h, j:j + w], kernel[i, j])
               for i in range(kh) for j in range(kw))


@pytest.mark.all_backends
@pytest.mark.parametrize("k,padding", [(3, "same"), (4, "same"), (3, "valid")])
def test_conv2d_against_numpy_and_finite_differences(k, padding):
    input_shape = (2, 4, 5, 2)
    layer = Conv2D(1, k, padding=padding, use_bias=False)
    layer.build(input_shape)
    kernel = np.random.default_rng(3).standard_normal((k, k, 2, 1))
    layer.set_weights([kernel.astype("float32")])
    x = np.random.default_rng(4).standard_normal(input_shape)
    expected = numpy_conv2d(x, kernel, padding)
    np.testing.assert_allclose(to_np(layer(x.astype("float32"))), expected, rtol=0, atol=1e-5)
    upstream = np.random.default_rng(5).standard_normal(expected.shape)
    d_kernel = central_differences(
        lambda kk: np.sum(upstream * numpy_conv2d(x, kk, padding)), kernel)
    d_x = central_differences(lambda xx: np.sum(upstream * numpy_conv2d(xx, kernel, padding)), x)
    _, (g_kernel, g_x) = value_and_grads(layer, x, upstream.astype("float32"))
    assert_rel_close(g_kernel, d_kernel, 1e-5)
    assert_rel_close(g_x, d_x, 1e-5)


@pytest.mark.all_backends
@pytest.mark.parametrize("index", [0, 5, 6])
def test_conv2d_fast_path_on_jax_and_tensorflow_for_supported_configurations(monkeypatch, index):
    calls = []
    parent_call = keras.layers.Conv2D.call
    monkeypatch.setattr(keras.layers.Conv2D, "call",
                        lambda self, inputs: calls.append(1) or parent_call(self, inputs))
    config, input_shape = CONV_CONFIGS[index]
    _, new = conv_pair(config, input_shape)
    new(random(input_shape, 1))
    fast = backend.name() in ("jax", "tensorflow") and index == 0
    assert calls == ([] if fast else [1])


@pytest.mark.all_backends
def test_conv2d_weight_and_keras_files(tmp_path):
    x = random((2, 7, 7, 8), 1)

    def net(cls):
        return keras.Sequential([keras.Input((7, 7, 8)),
                                 cls(1, 7, padding="same", activation="sigmoid",
                                     bias_initializer="random_normal")])
    keras.utils.set_random_seed(0)
    stock, new = net(keras.layers.Conv2D), net(Conv2D)
    stock.save_weights(tmp_path / "stock.weights.h5")
    new.load_weights(tmp_path / "stock.weights.h5")
    np.testing.assert_allclose(to_np(new(x)), to_np(stock(x)), rtol=0, atol=1e-6)
    new.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    assert type(loaded.layers[0]) is Conv2D
    np.testing.assert_allclose(to_np(loaded(x)), to_np(new(x)), rtol=0, atol=1e-6)
