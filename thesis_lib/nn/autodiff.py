"""A tiny reverse-mode automatic differentiation over scalars (thesis §2.5).

Each :class:`Scalar` remembers the operation and inputs that produced it. The forward pass is
ordinary arithmetic; :meth:`Scalar.backward` visits the graph in reverse topological order and
applies the chain rule, ∂f/∂input = ∂f/∂node · ∂node/∂input, accumulating into ``grad``. In the
spirit of karpathy/micrograd, written for this book.
"""

from __future__ import annotations

import math

from thesis_lib.formatting import num


class Scalar:
    """A number in a computational graph, with its gradient once ``backward`` has run."""

    def __init__(self, value, parents=(), op="", name=""):
        self.value = float(value)
        self.grad = 0.0
        self.parents = parents      # ((parent, local derivative ∂self/∂parent), ...)
        self.op = op
        self.name = name

    def __repr__(self):
        return f"Scalar({self.name or self.op or 'input'}={self.value:g}, grad={self.grad:g})"

    @staticmethod
    def _lift(x):
        return x if isinstance(x, Scalar) else Scalar(x, name=num(x))

    def __add__(self, other):
        other = self._lift(other)
        return Scalar(self.value + other.value, ((self, 1.0), (other, 1.0)), "+")

    __radd__ = __add__

    def __mul__(self, other):
        other = self._lift(other)
        return Scalar(self.value * other.value, ((self, other.value), (other, self.value)), "×")

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) - self

    def __pow__(self, k: float):
        return Scalar(self.value ** k, ((self, k * self.value ** (k - 1)),), f"^{k:g}")

    def __truediv__(self, other):
        return self * self._lift(other) ** -1.0

    def relu(self):
        """max(x, 0); its derivative is the indicator 1{x > 0} (0 at the kink, by convention)."""
        return Scalar(max(self.value, 0.0), ((self, 1.0 if self.value > 0 else 0.0),), "max(·,0)")

    def exp(self):
        e = math.exp(self.value)
        return Scalar(e, ((self, e),), "exp")

    def tanh(self):
        t = math.tanh(self.value)
        return Scalar(t, ((self, 1 - t * t),), "tanh")

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.value))
        return Scalar(s, ((self, s * (1 - s)),), "σ")

    def named(self, name: str) -> "Scalar":
        self.name = name
        return self

    def topological_order(self) -> list["Scalar"]:
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent, _ in node.parents:
                    visit(parent)
                order.append(node)
        visit(self)
        return order

    def backward(self) -> None:
        """Fill ``grad`` of every node with ∂self/∂node (the backward pass)."""
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0  # ∂f/∂f
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += node.grad * local


def thesis_graph(x=-2.0, y=3.0, z=2.0):
    """f(x, y, z) = max((x + y) z, 0) with the thesis's names v = x + y, u = z v (§2.5)."""
    xs, ys, zs = Scalar(x, name="x"), Scalar(y, name="y"), Scalar(z, name="z")
    v = (xs + ys).named("v")
    u = (zs * v).named("u")
    f = u.relu().named("f")
    return f, {"x": xs, "y": ys, "z": zs, "v": v, "u": u, "f": f}


def finite_differences(fn, point, h=1e-6):
    """Central differences (f(p + h eᵢ) − f(p − h eᵢ)) / 2h for each coordinate of ``point``."""
    grads = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        grads.append((fn(*up) - fn(*down)) / (2 * h))
    return grads
