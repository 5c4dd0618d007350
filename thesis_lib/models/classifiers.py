"""The MNIST classifiers of thesis §4.1, as the authors' notebook ran them.

Dense: 784 → 128 ReLU → 128 ReLU → Dropout 0.25 → 10 softmax (118,282 parameters).
CNN: Conv 64 3×3 → MaxPool → Conv 128 3×3 → MaxPool → Flatten → Dropout 0.25 → Dense 64 →
10 softmax (280,010 parameters). The prose describes 64 filters in both convolutions
(140,682 parameters): ``second_filters=64`` builds that variant.
"""

from __future__ import annotations

import keras
from keras import layers


def dense_classifier(name: str = "dense_classifier") -> keras.Model:
    """Thesis §4.1 dense network on flattened 28×28 images scaled to [0, 1]."""
    return keras.Sequential([
        keras.Input((784,)),
        layers.Dense(128, activation="relu"),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ], name=name)


def cnn_classifier(second_filters: int = 128, name: str = "cnn_classifier") -> keras.Model:
    """Thesis §4.1 convolutional network on (28, 28, 1) images scaled to [0, 1].

    The penultimate layer is named ``features``: its 64 activations are what the GAN metrics
    use (see ``thesis_lib.evaluation.evaluator``).
    """
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(second_filters, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.25),
        layers.Dense(64, activation="relu", name="features"),
        layers.Dense(10, activation="softmax", name="probabilities"),
    ], name=name)


def compile_classifier(model: keras.Model) -> keras.Model:
    """Adam with Keras defaults and categorical cross-entropy, as in the thesis."""
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def first_layer_maps(model: keras.Model, images):
    """Activations of the first convolution (after ReLU) for ``images`` shaped (n, 28, 28, 1)."""
    probe = keras.Model(model.inputs, model.layers[0].output)
    return probe.predict(images, verbose=0)
