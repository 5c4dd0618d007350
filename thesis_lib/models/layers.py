"""``Conv2DTranspose`` with a fast kernel gradient on JAX; the stock layer on other backends.

Why this exists: the thesis's DCGAN (§4.2) upsamples with two ``Conv2DTranspose`` layers (128
filters, 4 × 4, stride 2), and on the JAX backend on a CPU its training step was unusably slow:
28.6 s per step against 1.2 s on TensorFlow (2-core machine, batch 256; see
``/work/shared/notes/keras3-gan-on-this-machine.md``). Nearly all of it is the gradient with
respect to the *kernel*. JAX differentiates Keras' transposed convolution, a convolution of the
input dilated with zeros (``lhs_dilation``), and XLA's CPU backend computes the kernel gradient
of that form very slowly: over a minute for the generator's second layer on a batch of 256,
whose forward pass takes under half a second (``benchmarks/conv_transpose_jax.py``).

The same numbers can be had cheaply. A transposed convolution is, by definition, the transpose
(the input gradient) of an ordinary strided convolution ``conv(z, kernel)``. So its two
gradients are

* input gradient: that ordinary strided convolution, applied to the upstream gradient;
* kernel gradient: the kernel gradient of that ordinary convolution, itself one convolution
  (upstream gradient against the layer input, batch and feature axes swapped, the input dilated
  by the stride: ``rhs_dilation``), a form XLA computes fast.

On that layer, forward + backward then runs about 50 times faster, with the same gradients to
float32 rounding. The forward pass is exactly Keras' (the same ``jax.lax.conv_transpose``
call), and the variables are the parent's (names, shapes, order), so weight files and
``.keras`` files move freely between this layer and ``keras.layers.Conv2DTranspose``. On
TensorFlow and PyTorch, and on JAX for configurations not handled here (dilation > 1, input
and kernel of different dtypes), it is the parent layer.

The forward pass (channels_last) is computed by phase (sub-pixel) decomposition: s_h · s_w
ordinary stride-1 convolutions of the undilated input with every s-th tap of the flipped kernel,
interleaved; the same numbers to float32 rounding, about 1.6–2 times faster than the dilated form
on XLA's CPU backend (batch 256: 0.52 → 0.33 s for the generator's second layer).

``Conv2D`` does the same for the generator's last layer (one output channel, 7 × 7), which XLA's
CPU convolution vectorises badly: with at most 4 filters, stride 1, on JAX, it is one
(N·H·W, C) @ (C, kh·kw·F) matmul followed by kh·kw shifted sums, with a hand-written backward
(shifted slices stacked, then two matmuls): batch 256, forward + backward 0.72 → 0.29 s.

Use: ``from thesis_lib.models.layers import Conv2DTranspose`` (or ``Conv2D``) in place of the
``keras.layers`` class; the constructor is the same.
"""

from __future__ import annotations

import functools

import keras
from keras import ops

__all__ = ["Conv2D", "Conv2DTranspose", "conv_transpose_padding"]


def conv_transpose_padding(kernel_size: int, stride: int, padding: str,
                           output_padding: int | None) -> tuple[int, int]:
    """(left, right) padding of the zero-dilated input, as Keras passes it to JAX.

    Mirrors keras' ``compute_conv_transpose_padding_args_for_jax`` for dilation 1; written out
    here so the forward and backward passes below share one definition and no private Keras
    module is imported. The tests check the result against the stock layer.
    """
    if padding == "valid":
        extra = max(kernel_size, stride) - kernel_size if output_padding is None else output_padding
        return kernel_size - 1, kernel_size - 1 + extra
    if output_padding is None:
        total = stride + kernel_size - 2  # output length = input length × stride
    else:
        total = kernel_size + kernel_size % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, kernel_size - 1)
    return left, total - left


# lax layout strings per data format: the activations ("data"), and the two operands of the
# kernel-gradient convolution, in which the batch axis n is summed over like a feature axis.
# Keras stores a transposed convolution's kernel as (h, w, filters, input channels): the HWIO
# kernel of the ordinary convolution from the output space back to the input space.
_LAYOUTS = {
    "channels_last": {"data": "NHWC", "dk_lhs": "CHWN", "dk_rhs": "IHWO"},
    "channels_first": {"data": "NCHW", "dk_lhs": "CNHW", "dk_rhs": "IOHW"},
}


def _dimension_numbers(data_format: str):
    data = _LAYOUTS[data_format]["data"]
    return (data, "HWIO", data)


def _forward(inputs, kernel, strides, pads, data_format):
    import jax
    # The very call keras.src.backend.jax.nn.conv_transpose makes: results are bit-identical.
    return jax.lax.conv_transpose(inputs, kernel, strides, padding=list(pads),
                                  dimension_numbers=_dimension_numbers(data_format),
                                  transpose_kernel=True)


def _phase_forward(inputs, kernel, strides, pads):
    """The same transposed convolution (channels_last) by phase (sub-pixel) decomposition.

    Output row o = s·q + r (phase r) only meets the taps t ≡ (lo − r) mod s of the flipped
    kernel, at input rows q + c + j: so each of the s_h · s_w output phases is an ordinary
    stride-1 convolution of the *undilated* input with every s-th tap of the flipped kernel,
    and the phases are interleaved (depth-to-space). No zero-dilated input, a quarter of the
    multiply-adds of the dilated form for stride 2, and XLA's CPU convolutions are fast on it.
    Each phase is computed on ⌈L_out / s⌉ positions and the interleaved result cropped to L_out.
    """
    import jax
    import jax.numpy as jnp
    n, h, w, _ = inputs.shape
    kh, kw, filters, _ = kernel.shape
    flipped = jnp.transpose(kernel[::-1, ::-1], (0, 1, 3, 2))  # HWIO of the dilated form
    dims = []
    for length, k, s, (lo, hi) in zip((h, w), (kh, kw), strides, pads):
        out_len = (length - 1) * s + lo + hi - k + 2
        q = -(-out_len // s)
        phases = []
        for r in range(s):
            t0 = (lo - r) % s
            taps = max(0, -(-(k - t0) // s))
            c = (r + t0 - lo) // s
            phases.append((t0, taps, (-c, q + taps - 1 + c - length)))  # pads may be < 0: crop
        dims.append((out_len, q, s, phases))
    (out_h, qh, sh, phases_h), (out_w, qw, sw, phases_w) = dims
    rows = []
    for t0h, taps_h, pad_h in phases_h:
        cols = []
        for t0w, taps_w, pad_w in phases_w:
            if taps_h == 0 or taps_w == 0:  # kernel < stride: this phase only gets the bias
                cols.append(jnp.zeros((n, qh, qw, filters), inputs.dtype))
                continue
            cols.append(jax.lax.conv_general_dilated(
                inputs, flipped[t0h::sh, t0w::sw], (1, 1), [pad_h, pad_w],
                dimension_numbers=("NHWC", "HWIO", "NHWC")))
        rows.append(jnp.stack(cols, axis=3))  # n, qh, qw, sw, f
    out = jnp.stack(rows, axis=2).reshape(n, qh * sh, qw * sw, filters)
    return out[:, :out_h, :out_w]


def _backward_padding(kernel_size, pads):
    # The ordinary convolution whose transpose is the forward pass pads its input (the
    # transposed convolution's output) by k − 1 − pad on each side; a negative value crops
    # output positions the input never reaches (valid padding with kernel < stride, or an
    # output_padding larger than k − 1): their gradient does not flow anywhere.
    return tuple((k - 1 - lo, k - 1 - hi) for k, (lo, hi) in zip(kernel_size, pads))


def _input_gradient(upstream, kernel, strides, pads, data_format):
    import jax
    return jax.lax.conv_general_dilated(
        upstream, kernel, window_strides=strides,
        padding=_backward_padding(kernel.shape[:2], pads),
        dimension_numbers=_dimension_numbers(data_format))


def _kernel_gradient(upstream, inputs, kernel_shape, strides, pads, data_format):
    """dK[i, j, f, c] = Σ_{n,p,q} g[n, s·p + i − P, s·q + j − P', f] · x[n, p, q, c].

    One convolution: the upstream gradient g is the "image" with its features f as the batch
    and the examples n as the features; the layer input x is the "kernel", dilated by the
    stride; the window slides with stride 1 over the kernel's h × w positions.
    """
    import jax
    layout = _LAYOUTS[data_format]
    return jax.lax.conv_general_dilated(
        upstream, inputs, window_strides=(1, 1),
        padding=_backward_padding(kernel_shape[:2], pads), rhs_dilation=strides,
        dimension_numbers=(layout["dk_lhs"], layout["dk_rhs"], "HWNC"))


@functools.cache
def _fast_conv_transpose():
    """The ``jax.custom_vjp`` function, built on first use so that importing this module never
    imports JAX (TensorFlow and PyTorch users need not have it)."""
    import jax

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
    def conv_transpose(inputs, kernel, strides, pads, data_format):
        if data_format == "channels_last":
            return _phase_forward(inputs, kernel, strides, pads)
        return _forward(inputs, kernel, strides, pads, data_format)

    def fwd(inputs, kernel, strides, pads, data_format):
        return conv_transpose(inputs, kernel, strides, pads, data_format), (inputs, kernel)

    def bwd(strides, pads, data_format, residuals, upstream):
        inputs, kernel = residuals
        d_inputs = _input_gradient(upstream, kernel, strides, pads, data_format)
        d_kernel = _kernel_gradient(upstream, inputs, kernel.shape, strides, pads, data_format)
        # Cotangents must carry the primals' dtypes (bfloat16 / float16 under mixed precision).
        return d_inputs.astype(inputs.dtype), d_kernel.astype(kernel.dtype)

    conv_transpose.defvjp(fwd, bwd)
    return conv_transpose


def fast_conv_transpose(inputs, kernel, strides=(1, 1), padding="valid", output_padding=None,
                        data_format="channels_last"):
    """Keras' 2-D ``ops.conv_transpose`` (dilation 1) on JAX arrays, with the fast gradients."""
    output_padding = output_padding or (None, None)
    pads = tuple(conv_transpose_padding(k, s, padding, op)
                 for k, s, op in zip(kernel.shape[:2], strides, output_padding))
    return _fast_conv_transpose()(inputs, kernel, tuple(strides), pads, data_format)


class _FastCall:
    """The call shared by the layers below: on a backend in ``FAST_BACKENDS``, when
    ``_fast_path`` accepts the inputs, ``_fast_call`` computes the convolution and bias and
    activation follow as in Keras' own ``call``; everywhere else the parent layer's ``call``."""

    FAST_BACKENDS: tuple[str, ...] = ("jax",)

    def call(self, inputs):
        if keras.config.backend() not in self.FAST_BACKENDS:
            return super().call(inputs)
        inputs = ops.convert_to_tensor(inputs)
        kernel = ops.convert_to_tensor(self.kernel)  # the autocast value under mixed precision
        if not self._fast_path(inputs, kernel):
            return super().call(inputs)
        outputs = self._fast_call(inputs, kernel)
        if self.use_bias:
            if self.data_format == "channels_last":
                bias_shape = (1,) * (self.rank + 1) + (self.filters,)
            else:
                bias_shape = (1, self.filters) + (1,) * self.rank
            outputs = ops.add(outputs, ops.reshape(self.bias, bias_shape))
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


@keras.saving.register_keras_serializable(package="thesis_lib")
class Conv2DTranspose(_FastCall, keras.layers.Conv2DTranspose):
    """``keras.layers.Conv2DTranspose`` whose kernel gradient is fast on JAX (see the module).

    Same constructor, variables, forward results and saved config as the parent.
    """

    def _fast_path(self, inputs, kernel) -> bool:
        return (tuple(self.dilation_rate) == (1, 1)
                and self.padding in ("same", "valid")
                and self.data_format in _LAYOUTS
                and len(inputs.shape) == 4
                # lax refuses mixed operand dtypes; Keras' own path would promote them.
                and inputs.dtype == kernel.dtype)

    def _fast_call(self, inputs, kernel):
        return fast_conv_transpose(inputs, kernel, self.strides, self.padding,
                                   self.output_padding, self.data_format)


# --- Conv2D with few filters: one matmul, then shifted sums ----------------------------------

def _projection_matrix(kernel):
    kh, kw, channels, filters = kernel.shape
    return kernel.transpose(2, 0, 1, 3).reshape(channels, kh * kw * filters)


def _projection_forward(inputs, kernel, pads):
    """out[n, y, x, f] = Σ_{i,j} P[n, y + i − lo_h, x + j − lo_w, i, j, f] with P = inputs @ K:
    one (N·H·W, C) @ (C, kh·kw·F) matmul, then kh·kw shifted slices added up."""
    import jax.numpy as jnp
    kh, kw, channels, filters = kernel.shape
    n, h, w, _ = inputs.shape
    (lh, hh), (lw, hw) = pads
    out_h, out_w = h + lh + hh - kh + 1, w + lw + hw - kw + 1
    proj = jnp.dot(inputs.reshape(-1, channels), _projection_matrix(kernel))
    proj = jnp.pad(proj.reshape(n, h, w, kh, kw, filters),
                   ((0, 0), (lh, hh), (lw, hw), (0, 0), (0, 0), (0, 0)))
    out = sum(proj[:, i:i + out_h, j:j + out_w, i, j, :] for i in range(kh) for j in range(kw))
    return out.astype(inputs.dtype)


def _projection_backward(pads, residuals, upstream):
    """dP[n, a, b, i, j] = g[n, a − i + lo_h, b − j + lo_w] (zero outside): kh·kw shifted
    slices of the padded upstream gradient, stacked; then two matmuls. (Plain autodiff of the
    forward's slices would pad and add kh·kw full-size arrays, several times slower.)"""
    import jax.numpy as jnp
    inputs, kernel = residuals
    kh, kw, channels, filters = kernel.shape
    n, h, w, _ = inputs.shape
    (lh, hh), (lw, hw) = pads
    g = jnp.pad(upstream, ((0, 0), (kh - 1 - lh, kh - 1 - hh), (kw - 1 - lw, kw - 1 - hw),
                           (0, 0)))
    d_proj = jnp.stack([g[:, kh - 1 - i:kh - 1 - i + h, kw - 1 - j:kw - 1 - j + w, :]
                        for i in range(kh) for j in range(kw)], axis=3)
    d_proj = d_proj.reshape(-1, kh * kw * filters)
    d_inputs = jnp.dot(d_proj, _projection_matrix(kernel).T).reshape(inputs.shape)
    d_kernel = jnp.dot(inputs.reshape(-1, channels).T, d_proj)
    d_kernel = d_kernel.reshape(channels, kh, kw, filters).transpose(1, 2, 0, 3)
    return d_inputs.astype(inputs.dtype), d_kernel.astype(kernel.dtype)


@functools.cache
def _projection_conv():
    import jax

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
    def conv(inputs, kernel, pads):
        return _projection_forward(inputs, kernel, pads)

    conv.defvjp(lambda inputs, kernel, pads: (_projection_forward(inputs, kernel, pads),
                                              (inputs, kernel)),
                _projection_backward)
    return conv


def same_padding(kernel_size: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding for stride 1 (what Keras' JAX backend passes to lax)."""
    return (kernel_size - 1) // 2, kernel_size - 1 - (kernel_size - 1) // 2


@keras.saving.register_keras_serializable(package="thesis_lib")
class Conv2D(_FastCall, keras.layers.Conv2D):
    """``keras.layers.Conv2D``; on JAX and TensorFlow, with at most ``MAX_FILTERS`` filters
    (stride 1, no dilation, one group, channels_last, 'same' or 'valid'), computed as one matmul
    to kh·kw·filters channels plus kh·kw shifted sums (see the module). Same variables, config
    and results (to float32 rounding) as the parent; the parent's call everywhere else."""

    MAX_FILTERS = 4
    FAST_BACKENDS = ("jax", "tensorflow")

    def _fast_path(self, inputs, kernel) -> bool:
        return (self.filters <= self.MAX_FILTERS
                and tuple(self.strides) == (1, 1)
                and tuple(self.dilation_rate) == (1, 1)
                and self.groups == 1
                and self.padding in ("same", "valid")
                and self.data_format == "channels_last"
                and len(inputs.shape) == 4
                and inputs.dtype == kernel.dtype)

    def _fast_call(self, inputs, kernel):
        kh, kw = kernel.shape[:2]
        pads = (same_padding(kh), same_padding(kw)) if self.padding == "same" else ((0, 0),) * 2
        if keras.config.backend() == "tensorflow":
            return _tf_projection_conv(inputs, kernel, pads)
        return _projection_conv()(inputs, kernel, pads)


def _tf_projection_conv(inputs, kernel, pads):
    """TensorFlow's version of :func:`_projection_conv`: the same forward (one matmul, kh·kw
    shifted sums) and the same hand-written backward, as a ``tf.custom_gradient``.

    Why: oneDNN computes the generator's last layer (7 × 7, 128 channels to 1, §4.2) at a
    fraction of its speed on wide layers: on a 2-core Xeon, 40 % of the layer time of the
    thesis DCGAN's step for 7 % of its FLOPs (``benchmarks/dcgan_layers.py``)."""
    import tensorflow as tf

    kh, kw, channels, filters = kernel.shape
    h, w = inputs.shape[1], inputs.shape[2]
    (lh, hh), (lw, hw) = pads
    out_h, out_w = h + lh + hh - kh + 1, w + lw + hw - kw + 1

    def matrix(k):  # (C, kh·kw·F), as _projection_matrix
        return tf.reshape(tf.transpose(k, (2, 0, 1, 3)), (channels, kh * kw * filters))

    # Layout: the kh·kw·F projections lead and the batch and image axes follow, so every
    # shifted slice reads whole image rows (2–3 times faster than slicing the trailing axes).
    @tf.custom_gradient
    def conv(x, k):
        n = tf.shape(x)[0]
        rows = tf.reshape(x, (-1, channels))
        proj = tf.matmul(matrix(k), rows, transpose_a=True, transpose_b=True)  # (kh·kw·F, N·H·W)
        proj = tf.pad(tf.reshape(proj, (kh, kw, filters, n, h, w)),
                      ((0, 0), (0, 0), (0, 0), (0, 0), (lh, hh), (lw, hw)))
        out = tf.add_n([proj[i, j, :, :, i:i + out_h, j:j + out_w]
                        for i in range(kh) for j in range(kw)])  # (F, N, H', W')
        out = tf.transpose(out, (1, 2, 3, 0))

        def grad(upstream):
            g = tf.pad(tf.transpose(upstream, (3, 0, 1, 2)),
                       ((0, 0), (0, 0), (kh - 1 - lh, kh - 1 - hh), (kw - 1 - lw, kw - 1 - hw)))
            d_proj = tf.stack([g[:, :, kh - 1 - i:kh - 1 - i + h, kw - 1 - j:kw - 1 - j + w]
                               for i in range(kh) for j in range(kw)], axis=0)
            d_proj = tf.reshape(d_proj, (kh * kw * filters, -1))  # (kh·kw·F, N·H·W)
            d_x = tf.matmul(d_proj, matrix(k), transpose_a=True, transpose_b=True)
            d_k = tf.transpose(tf.matmul(d_proj, rows))  # (C, kh·kw·F)
            d_k = tf.transpose(tf.reshape(d_k, (channels, kh, kw, filters)), (1, 2, 0, 3))
            return tf.reshape(d_x, tf.shape(x)), d_k

        return out, grad

    # Read the variable here: a custom gradient that touches a tf.Variable must also return
    # the variable's gradient through ``variables=``; the read value's gradient flows to it.
    return conv(tf.convert_to_tensor(inputs), tf.convert_to_tensor(kernel))
