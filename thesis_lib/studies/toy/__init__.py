"""The theory chapter's toys (§3.1–3.2): ``mixtures`` (the ring and the grid, the mode protocol),
``networks`` (small MLP GANs), ``theory`` (closed forms: D*, JSD, W₁), ``one_d``, ``vanishing``,
``snapshots``, ``critic`` (a WGAN critic in the plane), ``remedies`` and ``remedy_gan`` (§3.2's
remedies for mode collapse)."""
