"""Keras 3 model builders, one module per family."""
