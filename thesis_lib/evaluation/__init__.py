"""How the book measures images (§4.1–§4.2, §3.3): the frozen ``evaluator`` CNN, the
``metrics`` built on its features (Fréchet distance, MNIST score, class coverage, the real-data
floor and ceiling), ``class_agreement`` (a conditional generator against the digit it was asked
for) and ``attributes`` (ink and slant from an image's moments)."""
