"""The book's experiments, one module per experiment: its specification, runner, command line
and result reader (``toy/`` for §3.1–3.2; the MNIST GANs, classifiers, scarce data, saturation,
the chapter 3.3 measurements; the GPU ``batch`` and the CPU ``campaign``). The Spanish text
about them is in :mod:`thesis_lib.report`."""
