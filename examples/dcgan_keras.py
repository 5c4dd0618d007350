"""The thesis's DCGAN for MNIST (§4.2) in plain Keras 3, without thesis_lib: both networks,
Algorithm 1 as one train_step (one D update on m real and m generated images, then one G
update on 2m latent points) and the training call. TensorFlow backend (what Colab runs).

    python examples/dcgan_keras.py            # one epoch on MNIST, samples in dcgan_samples.png
"""

import keras
import tensorflow as tf
from keras import layers

LATENT_DIM = 100


def build_generator(latent_dim=LATENT_DIM):
    return keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 128), layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, 7, padding="same", activation="sigmoid"),
    ], name="generator")


def build_discriminator():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 3, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Dropout(0.4),
        layers.Conv2D(64, 3, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Dropout(0.4),
        layers.Flatten(), layers.Dense(1, activation="sigmoid"),
    ], name="discriminator")


class DCGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim=LATENT_DIM, seed=0):
        super().__init__()
        self.discriminator, self.generator, self.latent_dim = discriminator, generator, latent_dim
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.bce = keras.losses.BinaryCrossentropy()

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def latent(self, n):
        return keras.random.normal((n, self.latent_dim), seed=self.seed_generator)

    def train_step(self, real):
        real = real[0] if isinstance(real, tuple) else real  # fit(x) may pass (x,)
        m = tf.shape(real)[0]
        # D: m real images (label 1) and m generated ones (label 0); only D's weights change.
        fake = self.generator(self.latent(m), training=True)
        images = tf.concat([real, fake], axis=0)
        labels = tf.concat([tf.ones((m, 1)), tf.zeros((m, 1))], axis=0)
        with tf.GradientTape() as tape:
            d_loss = self.bce(labels, self.discriminator(images, training=True))
        d_vars = self.discriminator.trainable_weights
        self.d_optimizer.apply(tape.gradient(d_loss, d_vars), d_vars)
        # G: 2m latent points labelled "real"; only G's weights change.
        z = self.latent(2 * m)
        with tf.GradientTape() as tape:
            scores = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = self.bce(tf.ones((2 * m, 1)), scores)
        g_vars = self.generator.trainable_weights
        self.g_optimizer.apply(tape.gradient(g_loss, g_vars), g_vars)
        return {"d_loss": d_loss, "g_loss": g_loss}


def train(images, epochs=100, batch_size=128, seed=0):
    """images: (n, 28, 28, 1) floats in [0, 1]; batch_size real images per D step."""
    keras.utils.set_random_seed(seed)
    gan = DCGAN(build_discriminator(), build_generator(), seed=seed)
    gan.compile(keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5),
                keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5))
    gan.fit(images, batch_size=batch_size, epochs=epochs)
    return gan


if __name__ == "__main__":
    (x_train, _), _ = keras.datasets.mnist.load_data()
    gan = train(x_train[..., None].astype("float32") / 255.0, epochs=1)
    samples = gan.generator.predict(gan.latent(25), verbose=0)[..., 0]
    grid = samples.reshape(5, 5, 28, 28).transpose(0, 2, 1, 3).reshape(140, 140)
    keras.utils.save_img("dcgan_samples.png", 1.0 - grid[..., None], scale=True)
