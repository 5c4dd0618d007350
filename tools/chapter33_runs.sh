#!/usr/bin/env bash
# The committed MNIST runs of chapter 3.3 (thesis §3.3), sized for a 2-core CPU: each at most
# an hour, resumable (rerun the same line after an interruption). One run after another: two
# runs side by side on 2 cores are no faster in total.
#
#   bash tools/chapter33_runs.sh            # all of them, in order, into results/mnist_gan
#
# The conditional GAN trains 9 epochs (about 55 minutes alone on this machine; the committed run
# was trained 4 epochs, then resumed to 9 from its checkpoint; a resumed run sees the same
# batches as an uninterrupted one).
# The three runs of the WGAN comparison share a CPU budget (about 9 minutes of training each on
# this machine): the standard GAN trains 8 epochs, the WGANs, whose epoch costs about a third
# (5 critic updates per generator update), 24 and 19. Each is monitored every epoch.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${OUT:-results/mnist_gan}
common=(--variant narrow --profile full --batch-size 64 --monitor-every 1 --out "$OUT")
wgan=(--train-subset 12000 "${common[@]}")
"$PY" -m thesis_lib.gan.runs "${common[@]}" --conditional --epochs 9 --seed 0
"$PY" -m thesis_lib.gan.runs "${wgan[@]}" --epochs 8 --seed 0
"$PY" -m thesis_lib.gan.runs "${wgan[@]}" --epochs 24 --seed 0 --loss wasserstein_gp \
    --critic-steps 5 --optimizer adam --learning-rate 1e-4 --beta-1 0 --beta-2 0.9
"$PY" -m thesis_lib.gan.runs "${wgan[@]}" --epochs 19 --seed 0 --loss wasserstein_clip \
    --critic-steps 5 --optimizer rmsprop --learning-rate 5e-5
"$PY" -m thesis_lib.gan.runs --variant infogan --profile full --batch-size 64 --monitor-every 1 \
    --out "$OUT" --epochs 3 --seed 0
