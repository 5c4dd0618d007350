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

Use: ``from thesis_lib.models.layers import Conv2DTranspose`` in place of
``keras.layers.Conv2DTranspose``; the constructor is the same.
"""

from __future__ import annotations

import functools

import keras
from keras import ops

__all__ = ["Conv2DTranspose", "conv_transpose_padding"]


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
        return _forward(inputs, kernel, strides, pads, data_format)

    def fwd(inputs, kernel, strides, pads, data_format):
        return _forward(inputs, kernel, strides, pads, data_format), (inputs, kernel)

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


@keras.saving.register_keras_serializable(package="thesis_lib")
class Conv2DTranspose(keras.layers.Conv2DTranspose):
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

    def call(self, inputs):
        if keras.config.backend() != "jax":
            return super().call(inputs)
        inputs = ops.convert_to_tensor(inputs)
        kernel = ops.convert_to_tensor(self.kernel)  # the autocast value under mixed precision
        if not self._fast_path(inputs, kernel):
            return super().call(inputs)
        outputs = fast_conv_transpose(inputs, kernel, self.strides, self.padding,
                                      self.output_padding, self.data_format)
        # Bias and activation exactly as in keras' BaseConvTranspose.call.
        if self.use_bias:
            if self.data_format == "channels_last":
                bias_shape = (1,) * (self.rank + 1) + (self.filters,)
            else:
                bias_shape = (1, self.filters) + (1,) * self.rank
            outputs = ops.add(outputs, ops.reshape(self.bias, bias_shape))
        if self.activation is not None:
            return self.activation(outputs)
        return outputs
