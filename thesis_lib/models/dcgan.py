"""The thesis's DCGAN for MNIST (§4.2; Brownlee's recipe, reference [22]) and its variants.

Baseline, as the authors ran it: discriminator 40,705 parameters, generator 1,164,289, the two
stacked 1,204,994. The keyword arguments are the improvements the thesis proposes at the end of
§4.2: a tanh output with pixels in [−1, 1], another latent dimension, batch normalization, and
``UpSampling2D`` + ``Conv2D`` instead of ``Conv2DTranspose``.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from thesis_lib.models.layers import Conv2D, Conv2DTranspose  # same weights; fast on JAX
from thesis_lib.validation import positive_int

OUTPUTS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # activation -> pixel range
D_OUTPUTS = ("sigmoid", "linear")  # a probability (minimax, non-saturating) or a critic's score
UPSAMPLING = ("transpose", "upsample")
D_CONDITIONING = ("planes", "projection")  # how a conditional D receives the class
MNIST_SHAPE = (28, 28, 1)


def _head_dtype():
    """float32 for the last layer under a mixed policy: a sigmoid computed in 16 bits rounds
    probabilities near 1 to exactly 1, and the losses read its logarithm."""
    return "float32" if keras.config.dtype_policy().name.startswith("mixed") else None


def _check_shape(image_shape):
    h, w, c = image_shape
    if h % 4 or w % 4 or min(image_shape) < 1:
        raise ValueError(f"image_shape must be (height, width, channels) with height and width "
                         f"multiples of 4 (G upsamples twice by 2), got {image_shape!r}.")
    return int(h), int(w), int(c)


@keras.saving.register_keras_serializable(package="thesis_lib")
class ClassPlanes(layers.Layer):
    """Appends the one-hot class to an image as extra channels, each class a constant plane.

    A broadcast, not ``UpSampling2D`` of a 1×1 map: the same planes, without an up-sampling
    whose gradient cost a conditional step on the CPU about 0.4 s."""

    def call(self, image, label):
        planes = ops.cast(label, image.dtype)[:, None, None, :]
        shape = ops.shape(image)
        planes = ops.broadcast_to(planes, (shape[0], shape[1], shape[2], ops.shape(label)[-1]))
        return ops.concatenate([image, planes], axis=-1)

    def compute_output_shape(self, image_shape, label_shape):
        return (*image_shape[:-1], image_shape[-1] + label_shape[-1])


@keras.saving.register_keras_serializable(package="thesis_lib")
class ProjectionHead(layers.Layer):
    """D's last layer conditioned by projection (Miyato and Koyama 2018): the logit
    w·φ(x) + b + e(y)·φ(x), with e(y) a learned vector per class, then ``activation``.

    The class enters the score directly instead of through the first convolution, as the
    class planes do; there it is easy for a narrow D to ignore."""

    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.get(activation)

    def build(self, features_shape, label_shape):
        units, classes = features_shape[-1], label_shape[-1]
        self.kernel = self.add_weight(shape=(units, 1), initializer="glorot_uniform",
                                      name="kernel")
        self.bias = self.add_weight(shape=(1,), initializer="zeros", name="bias")
        self.embedding = self.add_weight(shape=(classes, units), initializer="glorot_uniform",
                                         name="embedding")

    def call(self, features, label):
        label = ops.cast(label, features.dtype)
        projection = ops.sum(ops.matmul(label, self.embedding) * features, axis=-1,
                             keepdims=True)
        return self.activation(ops.matmul(features, self.kernel) + self.bias + projection)

    def compute_output_shape(self, features_shape, label_shape):
        return (*features_shape[:-1], 1)

    def get_config(self):
        return {**super().get_config(),
                "activation": keras.activations.serialize(self.activation)}


def _class_channels(image, label, shape):
    """The one-hot class as extra image channels: each class a constant plane."""
    return ClassPlanes(name="class_planes")(image, label)


def _assemble(inputs, merge, body, name):
    """The thesis's layer stack as a Sequential model (its weight files and layer names stay
    those of the authors' model), or, when there is a class input to merge first, as a
    functional model with the same body."""
    if merge is None:
        return keras.Sequential([inputs[0], *body], name=name)
    x = merge
    for layer in body:
        x = layer(x)
    return keras.Model(inputs, x, name=name)


def _check_filters(filters):
    positive_int("filters", filters)
    return filters


def discriminator(batch_norm: bool = False, name: str = "discriminator", *,
                  output: str = "sigmoid", image_shape=MNIST_SHAPE,
                  num_classes: int | None = None, filters: int = 64,
                  conditioning: str = "planes") -> keras.Model:
    """Conv 64 3×3/2 → LeakyReLU 0.2 → Dropout 0.4, twice → Flatten → Dense 1 (sigmoid, or
    linear for a critic). With ``num_classes``, a second input (the one-hot class) enters as
    extra image channels (``conditioning="planes"``) or through a :class:`ProjectionHead`
    (``"projection"``). ``filters`` narrows (or widens) both convolutions, for runs that must
    fit a CPU."""
    if output not in D_OUTPUTS:
        raise ValueError(f"unknown discriminator output {output!r}; valid: {', '.join(D_OUTPUTS)}.")
    if conditioning not in D_CONDITIONING:
        raise ValueError(f"unknown conditioning {conditioning!r}; valid: "
                         f"{', '.join(D_CONDITIONING)}.")
    _check_filters(filters)
    shape = _check_shape(image_shape)
    body = []
    for i in range(2):
        body.append(layers.Conv2D(filters, 3, strides=2, padding="same"))
        if batch_norm and i > 0:  # as in DCGAN: no normalisation on the input layer
            body.append(layers.BatchNormalization())
        body += [layers.LeakyReLU(negative_slope=0.2), layers.Dropout(0.4)]
    body.append(layers.Flatten())
    activation = None if output == "linear" else output
    inputs, merge = [keras.Input(shape, name="image")], None
    if num_classes is not None:
        inputs.append(keras.Input((num_classes,), name="label"))
        if conditioning == "projection":  # the same body; the class enters at the head
            features = inputs[0]
            for layer in body:
                features = layer(features)
            head = ProjectionHead(activation=activation, dtype=_head_dtype(), name="projection")
            return keras.Model(inputs, head(features, inputs[1]), name=name)
        merge = _class_channels(*inputs, shape)
    body.append(layers.Dense(1, activation=activation, dtype=_head_dtype()))
    return _assemble(inputs, merge, body, name)


def generator(latent_dim: int = 100, output: str = "sigmoid", batch_norm: bool = False,
              upsampling: str = "transpose", name: str = "generator", *,
              image_shape=MNIST_SHAPE, num_classes: int | None = None,
              filters: int = 128) -> keras.Model:
    """Dense (h/4)·(w/4)·128 → LeakyReLU → Reshape → 2 × [upsample ×2 → LeakyReLU] → Conv c
    7×7. With ``num_classes``, the one-hot class is concatenated to z. ``filters`` replaces the
    128 channels of every hidden layer (a generator that fits a CPU budget)."""
    _check_filters(filters)
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; valid: {', '.join(OUTPUTS)}.")
    if upsampling not in UPSAMPLING:
        raise ValueError(f"unknown upsampling {upsampling!r}; valid: {', '.join(UPSAMPLING)}.")
    positive_int("latent_dim", latent_dim)
    h, w, c = _check_shape(image_shape)
    inputs, merge = [keras.Input((latent_dim,), name="z")], None
    if num_classes is not None:
        inputs.append(keras.Input((num_classes,), name="label"))
        merge = layers.Concatenate()(inputs)
    body = [layers.Dense(h // 4 * w // 4 * filters)]
    if batch_norm:
        body.append(layers.BatchNormalization())
    body += [layers.LeakyReLU(negative_slope=0.2), layers.Reshape((h // 4, w // 4, filters))]
    for _ in range(2):
        if upsampling == "transpose":
            body.append(Conv2DTranspose(filters, 4, strides=2, padding="same"))
        else:  # same kernel size, so both variants have the same number of parameters
            body += [layers.UpSampling2D(2), layers.Conv2D(filters, 4, padding="same")]
        if batch_norm:
            body.append(layers.BatchNormalization())
        body.append(layers.LeakyReLU(negative_slope=0.2))
    body.append(Conv2D(c, 7, padding="same", activation=output, dtype=_head_dtype()))
    return _assemble(inputs, merge, body, name)


def stacked(gen: keras.Model, disc: keras.Model) -> keras.Model:
    """G → D as one model (Brownlee's "GAN model"); used here only to count parameters."""
    return keras.Sequential([gen, disc], name="gan")
