"""Feedforward networks (thesis §2.2): activations, gradients through depth, XOR, and
universal approximation."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

from thesis_lib import backend
from thesis_lib.formatting import num

# The XOR data and the thesis's hand-built network live in xor.py (NumPy only, no Keras).
from thesis_lib.nn.xor import THESIS_XOR, XOR_POINTS, XOR_X, XOR_Y, xor_forward, xor_forward_table  # noqa: F401

# --- activations -----------------------------------------------------------------------------

def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def leaky_relu_name(a: float) -> str:
    """The book's name for Leaky ReLU with slope ``a``: "Leaky ReLU (a = 0,05)"."""
    return f"Leaky ReLU (a = {num(a)})"


def _leaky_relu(a: float):
    return (lambda x: ops.leaky_relu(x, negative_slope=a), lambda x: np.where(x > 0, 1.0, a))


# name -> (Keras function, closed-form derivative). The names are what the book shows (figure
# titles, tables), hence the decimal comma. Derivatives at the kink follow the frameworks:
# ReLU'(0) = 0 and LeakyReLU'(0) = a.
ACTIVATIONS = {
    "ReLU": (ops.relu, lambda x: (x > 0).astype(float)),
    leaky_relu_name(0.05): _leaky_relu(0.05),
    leaky_relu_name(0.2): _leaky_relu(0.2),
    "sigmoide": (ops.sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (ops.tanh, lambda x: 1 - np.tanh(x) ** 2),
}


def activation_curves(x):
    """For each activation: values, derivative by automatic differentiation, closed form."""
    x = np.asarray(x, dtype=float)
    out = {}
    for name, (fn, closed) in ACTIVATIONS.items():
        values = np.asarray(ops.convert_to_numpy(fn(ops.convert_to_tensor(x, "float32"))),
                            dtype=float)
        out[name] = (values, backend.derivative(fn, x), closed(x))
    return out


# --- gradients through depth -----------------------------------------------------------------

def deep_chain(depth: int, width: int, n: int, seed: int):
    """Glorot-uniform square weight matrices and a standard-normal input batch."""
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6 / (2 * width))
    return [rng.uniform(-limit, limit, size=(width, width)) for _ in range(depth)], \
        rng.normal(size=(n, width))


def gradient_norms_through_depth(activation: str, depth: int = 20, width: int = 32,
                                 n: int = 64, seed: int = 0) -> np.ndarray:
    """‖∂(Σ output)/∂h_l‖ for each layer l of a deep Glorot-initialised chain, in numpy.

    Backpropagation written out: δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ g'(a_l). Index 0 is the layer
    nearest the input. Shows vanishing gradients (sigmoid, tanh) against ReLU.
    """
    fn, derivative = ACTIVATIONS[activation]
    weights, h = deep_chain(depth, width, n, seed)
    pre = []
    for w in weights:
        a = h @ w
        pre.append(a)
        h = np.asarray(ops.convert_to_numpy(fn(ops.convert_to_tensor(a, "float32"))), float)
    delta = np.ones_like(h)
    norms = []
    for w, a in zip(reversed(weights), reversed(pre)):
        delta = delta * derivative(a)          # through g at this layer
        norms.append(np.linalg.norm(delta) / np.sqrt(n))
        delta = delta @ w.T                    # through the weights to the layer below
    return np.array(norms[::-1])


def dead_relu_gradient(bias: float = -5.0, negative_slope: float = 0.0, seed: int = 0):
    """Gradient of an MSE loss w.r.t. the weights of a unit whose bias pushes it below zero.

    With ReLU every pre-activation is negative, so the gradient is exactly zero and the unit
    never recovers ("dying ReLU"); a leaky slope keeps a small gradient.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(256, 3))
    y = x @ np.array([1.0, -2.0, 0.5])
    w0 = rng.normal(size=3) * 0.1

    def loss(w, b):
        a = ops.matmul(ops.convert_to_tensor(x, "float32"), w) + b
        h = ops.leaky_relu(a, negative_slope) if negative_slope else ops.relu(a)
        return ops.mean(ops.square(h - ops.convert_to_tensor(y, "float32")))

    _, (grad_w, grad_b) = backend.gradient(loss, w0, bias)
    active = float(np.mean(x @ w0 + bias > 0))
    return grad_w, float(grad_b), active


# --- XOR -------------------------------------------------------------------------------------

def _fit_stack(model, x, y, steps: int, learning_rate: float) -> None:
    """Full-batch Adam on a stack of independent nets (batch axis = net axis), ``steps`` steps.

    The data are tiled so that one epoch holds ``steps`` identical batches, and Keras runs up
    to 250 steps per call (``steps_per_execution``): the per-step Python overhead would
    otherwise dominate such tiny models.
    """
    k = x.shape[0]

    def per_net_mse(y_true, y_pred):
        # Keras averages this over the batch; the factor k turns that into a sum of the nets'
        # own losses, so each net gets exactly the gradient of its own MSE.
        return ops.mean(ops.square(y_true - y_pred), axis=(-2, -1)) * k

    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=per_net_mse,
                  steps_per_execution=min(steps, 250))
    model.fit(np.tile(x, (steps, 1, 1)), np.tile(y, (steps, 1, 1)), batch_size=k, epochs=1,
              shuffle=False, verbose=0)


class ParallelDense(keras.layers.Layer):
    """``n_nets`` independent dense layers applied side by side: (nets, points, in) -> out.

    Training the stack with a loss that sums the nets' losses trains each net exactly as if
    alone (the gradients do not mix, and Adam acts elementwise). Net i's weights are drawn
    from ``numpy.random.default_rng(seeds[i])`` with Glorot-uniform limits; biases start at 0.
    """

    def __init__(self, units, seeds, fan_in, salt=0, active_units=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.seeds, self.fan_in, self.salt = units, list(seeds), fan_in, salt
        # Net i uses only its first active_units[i] units: narrower nets inside one stack.
        active = active_units or [units] * len(self.seeds)
        self.mask = np.array([[[1.0] * a + [0.0] * (units - a)] for a in active], "float32")
        self.widths = list(active)

    def build(self, input_shape):
        init = np.stack([np.random.default_rng([s, self.salt, w]).uniform(
            -np.sqrt(6 / (self.fan_in + w)), np.sqrt(6 / (self.fan_in + w)),
            size=(self.fan_in, self.units)) for s, w in zip(self.seeds, self.widths)])
        self.kernel = self.add_weight(shape=init.shape, initializer=keras.initializers.Constant(
            init.astype("float32")), name="kernel")
        self.bias = self.add_weight(shape=(len(self.seeds), 1, self.units), initializer="zeros",
                                    name="bias")

    def call(self, x):
        return (ops.einsum("spi,sio->spo", x, self.kernel) + self.bias) * self.mask

    def compute_output_shape(self, input_shape):
        # Stated, not traced: on JAX and PyTorch Keras' symbolic trace of the einsum above
        # fails when the stack's leading axis is unknown.
        return (*input_shape[:-1], self.units)


@dataclass
class XorRuns:
    seeds: list
    predictions: np.ndarray   # (nets, 4)
    hidden: np.ndarray        # (nets, 4, 2) hidden activations
    losses: np.ndarray        # (nets,) final MSE
    initial_hidden: np.ndarray  # (nets, 4, 2) hidden activations before training
    output_weights: np.ndarray | None = None  # (nets, 2) trained output layer θ⁽²⁾
    output_bias: np.ndarray | None = None     # (nets,) its bias b

    def output_layer(self, i: int) -> tuple[np.ndarray, float]:
        """Net ``i``'s output layer (θ⁽²⁾, b): its output is θ⁽²⁾ᵀh + b, and the line where that
        equals 1/2 is where its answer rounds from 0 to 1 in the hidden space."""
        return self.output_weights[i], float(self.output_bias[i])

    @property
    def solved(self) -> np.ndarray:
        return np.all(np.abs(self.predictions - XOR_Y) < 0.5, axis=1) & (self.losses < 0.05)

    @property
    def dead_units(self) -> np.ndarray:
        """Hidden units that are zero on all four inputs after training, per net."""
        return np.sum(np.all(self.hidden <= 0, axis=1), axis=1)

    @property
    def dead_at_init(self) -> np.ndarray:
        """Hidden units already zero on all four inputs before training, per net."""
        return np.sum(np.all(self.initial_hidden <= 0, axis=1), axis=1)

    def collapsed(self, i: int) -> bool:
        """Two inputs of different class share one hidden vector: no output can split them."""
        h = self.hidden[i]
        return any(XOR_Y[a] != XOR_Y[b] and np.allclose(h[a], h[b], atol=1e-3)
                   for a in range(4) for b in range(a + 1, 4))

    def outcome(self, i: int) -> str:
        """Why net ``i`` ended where it did (Spanish, for the book's table)."""
        if self.solved[i]:
            return "resuelve XOR"
        if self.dead_units[i] == 2:
            return "dos neuronas muertas: salida constante"
        if self.dead_units[i] == 1:
            return "una neurona muerta: una sola ReLU no alcanza"
        if self.collapsed(i):
            return "puntos de distinta clase fusionados en la capa oculta"
        return "otro mínimo local"

    def outcome_counts(self) -> dict:
        counts = {}
        for i in range(len(self.seeds)):
            counts[self.outcome(i)] = counts.get(self.outcome(i), 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def train_xor_nets(seeds, epochs: int = 2000, learning_rate: float = 0.01) -> XorRuns:
    """Train one 2-2-1 ReLU network per seed on XOR with MSE and Adam (all at once).

    The batch axis is the net axis: sample i of the batch goes through net i only.
    """
    seeds = list(seeds)
    s = len(seeds)
    x = np.broadcast_to(XOR_X, (s, 4, 2)).astype("float32")
    y = np.broadcast_to(XOR_Y[:, None], (s, 4, 1)).astype("float32")
    inputs = keras.Input((4, 2))
    hidden = keras.layers.Activation("relu")(ParallelDense(2, seeds, 2, salt=1)(inputs))
    top = ParallelDense(1, seeds, 2, salt=2)
    output = top(hidden)
    probe = keras.Model(inputs, [output, hidden])
    _, initial_hidden = probe.predict(x, batch_size=s, verbose=0)
    _fit_stack(keras.Model(inputs, output), x, y, epochs, learning_rate)
    out, hid = probe.predict(x, batch_size=s, verbose=0)
    pred = out[:, :, 0]
    weights = ops.convert_to_numpy(top.kernel)[:, :, 0].astype(float)
    bias = ops.convert_to_numpy(top.bias)[:, 0, 0].astype(float)
    return XorRuns(seeds, pred, hid, np.mean((pred - XOR_Y) ** 2, axis=1), initial_hidden,
                   weights, bias)


# --- universal approximation -----------------------------------------------------------------

def target_function(x):
    """A continuous function on [-1, 1] to approximate (smooth bumps plus a kink)."""
    return np.sin(3 * np.pi * x) * np.exp(-x ** 2) + 0.5 * np.abs(x)


def fit_widths(widths, steps: int = 2000, n: int = 256, seed: int = 0,
               learning_rate: float = 0.01):
    """Fit ``target_function`` on [-1, 1] with one tanh hidden layer of each width (thesis §2.2).

    All widths train side by side in one stack (see :class:`ParallelDense`), full batch, Adam,
    MSE. Returns the RMSE per width, the grid and the fitted curves (widths × n).
    """
    widths = list(widths)
    k, top = len(widths), max(widths)
    grid = np.linspace(-1, 1, n).astype("float32")
    x = np.broadcast_to(grid[:, None], (k, n, 1)).astype("float32")
    y = np.broadcast_to(target_function(grid)[:, None], (k, n, 1)).astype("float32")
    seeds = [seed] * k
    inputs = keras.Input((n, 1))
    hidden = keras.layers.Activation("tanh")(
        ParallelDense(top, seeds, 1, salt=1, active_units=widths)(inputs))
    output = ParallelDense(1, seeds, top, salt=2)(hidden)
    model = keras.Model(inputs, output)
    _fit_stack(model, x, y, steps, learning_rate)
    pred = model.predict(x, batch_size=k, verbose=0)[:, :, 0]
    rmse = np.sqrt(np.mean((pred - y[:, :, 0]) ** 2, axis=1))
    return rmse, grid, pred
