"""The thesis's DCGAN for MNIST (§4.2; Brownlee's recipe, reference [22]) and its variants.

Baseline, as the authors ran it: discriminator 40,705 parameters, generator 1,164,289, the two
stacked 1,204,994. The keyword arguments are the improvements the thesis proposes at the end of
§4.2: a tanh output with pixels in [−1, 1], another latent dimension, batch normalization, and
``UpSampling2D`` + ``Conv2D`` instead of ``Conv2DTranspose``.
"""

from __future__ import annotations

import keras
from keras import layers

OUTPUTS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # activation -> pixel range
UPSAMPLING = ("transpose", "upsample")


def discriminator(batch_norm: bool = False, name: str = "discriminator") -> keras.Model:
    """Conv 64 3×3/2 → LeakyReLU 0.2 → Dropout 0.4, twice → Flatten → Dense 1 sigmoid."""
    stack = [keras.Input((28, 28, 1))]
    for i in range(2):
        stack.append(layers.Conv2D(64, 3, strides=2, padding="same"))
        if batch_norm and i > 0:  # as in DCGAN: no normalisation on the input layer
            stack.append(layers.BatchNormalization())
        stack += [layers.LeakyReLU(negative_slope=0.2), layers.Dropout(0.4)]
    stack += [layers.Flatten(), layers.Dense(1, activation="sigmoid")]
    return keras.Sequential(stack, name=name)


def generator(latent_dim: int = 100, output: str = "sigmoid", batch_norm: bool = False,
              upsampling: str = "transpose", name: str = "generator") -> keras.Model:
    """Dense 7·7·128 → LeakyReLU → Reshape → 2 × [upsample ×2 → LeakyReLU] → Conv 1 7×7."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; valid: {', '.join(OUTPUTS)}.")
    if upsampling not in UPSAMPLING:
        raise ValueError(f"unknown upsampling {upsampling!r}; valid: {', '.join(UPSAMPLING)}.")
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim <= 0:
        raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}.")
    stack = [keras.Input((latent_dim,)), layers.Dense(7 * 7 * 128)]
    if batch_norm:
        stack.append(layers.BatchNormalization())
    stack += [layers.LeakyReLU(negative_slope=0.2), layers.Reshape((7, 7, 128))]
    for _ in range(2):
        if upsampling == "transpose":
            stack.append(layers.Conv2DTranspose(128, 4, strides=2, padding="same"))
        else:  # same kernel size, so both variants have the same number of parameters
            stack += [layers.UpSampling2D(2), layers.Conv2D(128, 4, padding="same")]
        if batch_norm:
            stack.append(layers.BatchNormalization())
        stack.append(layers.LeakyReLU(negative_slope=0.2))
    stack.append(layers.Conv2D(1, 7, padding="same", activation=output))
    return keras.Sequential(stack, name=name)


def stacked(gen: keras.Model, disc: keras.Model) -> keras.Model:
    """G → D as one model (Brownlee's "GAN model"); used here only to count parameters."""
    return keras.Sequential([gen, disc], name="gan")
