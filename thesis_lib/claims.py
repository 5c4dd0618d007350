"""What the thesis asserts and the code uses as a number: one place, each named as a claim.

These are the thesis's (or its sources') statements, not facts the book has established: a
figure that draws a band, or a test that counts runs inside it, reads the claim from here, and
the chapters say where the runs agree with it and where they do not.
"""

from __future__ import annotations

# §4.2: the ranges Brownlee (reference [22]) says the per-batch losses of a healthy DCGAN run
# stay in: discriminator about 0.5–0.8, generator about 0.5–2.0.
GAN_LOSS_BANDS = {"d_loss": (0.5, 0.8), "g_loss": (0.5, 2.0)}

# §4.2 speaks of "mode collapse" without a threshold. The book's operational reading: a run
# whose samples cover fewer than this many of the 10 digits (each at least a 5 % share,
# metrics.class_coverage) is counted as collapsed.
COLLAPSED_BELOW = 5

# The papers' settings of each GAN loss family (the WGANs' among them, which §3.3 attributes to
# Brownlee's book [22]) are the loss registry's recipes: thesis_lib.gan.families.
