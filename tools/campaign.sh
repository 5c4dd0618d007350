#!/usr/bin/env bash
# Start the CPU campaign (thesis_lib.studies.campaign) in the background at the lowest priority, detached
# from this shell, unless one is already running; print where it stands.
#   bash tools/campaign.sh            # what every session does first (DEVELOPERS.md)
#   bash tools/campaign.sh --status   # only the status
# Its log: $THESIS_CAMPAIGN_DIR/campaign.out (default ~/.cache/thesis-campaign). Each job runs
# from a clone at the commit it started with, so editing this checkout does not touch it.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
[ -x "$py" ] || { echo "no $py: run 'bash .ci/run book' once to make the environment, or set PYTHON" >&2; exit 2; }
dir=${THESIS_CAMPAIGN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/thesis-campaign}
if [ -z "${THESIS_MNIST_DIR:-}" ] && [ -d ../shared/data/mnist ]; then
  THESIS_MNIST_DIR="$(cd ../shared/data/mnist && pwd)"
  export THESIS_MNIST_DIR
fi
status=$("$py" -m thesis_lib.studies.batch --campaign --status --campaign-dir "$dir")
if [ "${1:-}" = --status ] || grep -q "^running now: yes" <<<"$status"; then
  echo "$status"
  exit 0
fi
mkdir -p "$dir"
setsid nohup nice -n 19 "$py" -m thesis_lib.studies.batch --campaign --campaign-dir "$dir" "$@" \
  >>"$dir/campaign.out" 2>&1 </dev/null &
echo "campaign started (pid $!), log $dir/campaign.out"
echo "$status"
