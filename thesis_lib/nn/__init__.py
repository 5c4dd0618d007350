"""Chapter 2 and the appendix: the building blocks of neural networks.

``perceptron`` (§2.1), ``feedforward`` (§2.2, XOR and universal approximation), ``erm``
(§2.3, training as empirical risk minimisation: the four components on a noisy XOR sample,
empirical against held-out risk), ``regularization`` (§2.4), ``autodiff`` (§2.5,
backpropagation on scalars), ``convolution`` (§2.6, convolution and pooling by hand) and
``optim`` (§6, gradient descent and Adam).
"""
