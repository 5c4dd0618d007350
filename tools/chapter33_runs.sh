#!/usr/bin/env bash
# The committed MNIST runs of chapter 3.3 (thesis §3.3), sized for a 2-core CPU: each at most
# an hour, resumable (rerun the same line after an interruption). One run after another: two
# runs side by side on 2 cores are no faster in total.
#
#   bash tools/chapter33_runs.sh            # all of them, in order, into results/mnist_gan
#
# The conditional GAN: G as ``narrow``, D at 64 channels with the class entering by projection
# (variant narrow_projection), 12 epochs on the 60,000 images: 58 minutes alone on this
# machine (the committed run trained 6 epochs, 29 minutes, then was resumed to 12 from its
# checkpoint, 30 minutes more; its card counts only the second process). The first
# conditional run, class as image planes into a 32-channel D, drew the requested digit 73 % of
# the time after 9 epochs (trained 4, then resumed to 9, sharing the CPU with other runs); it
# is kept in results/mnist_gan_attempts, which the chapter compares with the committed one.
# The three runs of the WGAN comparison share a planned CPU budget of 10 minutes each, alone on
# this machine, monitoring included: the epochs come from a 2-epoch timing of each (83, 35 and
# 23 s per epoch, start-up included; the runs then took 8, 7 and 9 minutes), so the standard GAN trains 7 epochs and the WGANs, whose epoch has a fifth
# of the generator updates (5 critic updates each), 17 (gradient penalty) and 26 (clipping).
# Each is monitored every epoch; the conditional GAN at the profile's default.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${OUT:-results/mnist_gan}
common=(--variant narrow --profile full --batch-size 64 --monitor-every 1 --out "$OUT")
wgan=(--train-subset 12000 "${common[@]}")
"$PY" -m thesis_lib.studies.mnist_gan --variant narrow_projection --profile full --batch-size 64 \
    --out "$OUT" --conditional --epochs 12 --seed 0
"$PY" -m thesis_lib.studies.mnist_gan "${common[@]}" --out results/mnist_gan_attempts --conditional \
    --epochs 9 --seed 0
"$PY" -m thesis_lib.studies.mnist_gan "${wgan[@]}" --epochs 7 --seed 0
# The WGANs with their papers' recipes (optimizer, rate, betas, k: thesis_lib.gan.families).
"$PY" -m thesis_lib.studies.mnist_gan "${wgan[@]}" --epochs 17 --seed 0 --recipe wasserstein_gp
"$PY" -m thesis_lib.studies.mnist_gan "${wgan[@]}" --epochs 26 --seed 0 --recipe wasserstein_clip
"$PY" -m thesis_lib.studies.mnist_gan --variant infogan --profile full --batch-size 64 --monitor-every 1 \
    --out "$OUT" --epochs 3 --seed 0
