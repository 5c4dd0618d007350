#!/usr/bin/env bash
# The committed MNIST runs of chapter 3.3 (thesis §3.3), sized for a 2-core CPU: each at most
# an hour, resumable (rerun the same line after an interruption). One run after another: two
# runs side by side on 2 cores are no faster in total.
#
#   bash tools/chapter33_runs.sh            # all of them, in order, into results/mnist_gan
#
# The conditional GAN: G as ``narrow``, D at 64 channels with the class entering by projection
# (variant narrow_projection), 6 epochs on the 60,000 images (about an hour alone on this
# machine). The first conditional run, class as image planes into a 32-channel D, drew the
# requested digit 73 % of the time after 9 epochs (trained 4, then resumed to 9); it is kept in
# results/mnist_gan_attempts, which the chapter compares with the committed one.
# The three runs of the WGAN comparison were sized from pilot timings to about the same CPU
# time each: the standard GAN 8 epochs, the WGANs, whose epoch costs about a third (5 critic
# updates per generator update), 24 and 19. Their cards' seconds are not comparable: the runs
# shared the CPU with the conditional one. Each is monitored every epoch
# (the conditional GAN at the profile's default).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${OUT:-results/mnist_gan}
common=(--variant narrow --profile full --batch-size 64 --monitor-every 1 --out "$OUT")
wgan=(--train-subset 12000 "${common[@]}")
"$PY" -m thesis_lib.gan.runs --variant narrow_projection --profile full --batch-size 64 \
    --out "$OUT" --conditional --epochs 6 --seed 0
"$PY" -m thesis_lib.gan.runs "${common[@]}" --out results/mnist_gan_attempts --conditional \
    --epochs 9 --seed 0
"$PY" -m thesis_lib.gan.runs "${wgan[@]}" --epochs 8 --seed 0
"$PY" -m thesis_lib.gan.runs "${wgan[@]}" --epochs 24 --seed 0 --loss wasserstein_gp \
    --critic-steps 5 --optimizer adam --learning-rate 1e-4 --beta-1 0 --beta-2 0.9
"$PY" -m thesis_lib.gan.runs "${wgan[@]}" --epochs 19 --seed 0 --loss wasserstein_clip \
    --critic-steps 5 --optimizer rmsprop --learning-rate 5e-5
"$PY" -m thesis_lib.gan.runs --variant infogan --profile full --batch-size 64 --monitor-every 1 \
    --out "$OUT" --epochs 3 --seed 0
