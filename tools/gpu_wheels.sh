#!/usr/bin/env bash
# Wheels for a lent GPU machine (Python 3.12, JAX and PyTorch, no internet, no Keras), into
# .whl/ (git-ignored), so that `python -m thesis_lib.studies.batch` runs there: Keras and what it needs,
# papermill with a Jupyter kernel, and myst_nb's `glue` (every chapter imports it). Only what the
# machine's image lacks: it has numpy, scipy, pandas, matplotlib, seaborn, h5py, pillow, pyyaml,
# jinja2, ml-dtypes, rich, absl-py, packaging, attrs, click, tqdm, requests, psutil, pygments,
# python-dateutil, typing-extensions. Versions: those installed in .venv (requirements.txt pins
# keras, papermill and ipykernel; the rest are what pip resolved for them).
#   bash tools/gpu_wheels.sh             # then carry .whl to the machine (see DEVELOPERS.md)
#   PYVER=3.12 DEST=.whl PYTHON=.venv/bin/python bash tools/gpu_wheels.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python="${PYTHON:-.venv/bin/python}"
pyver="${PYVER:-3.12}"
dest="${DEST:-.whl}"

# Left out on purpose: debugpy (ipykernel runs without it; 4 MB), jedi and parso (IPython's
# completion only; 5 MB), myst_nb's Sphinx side
# (sphinx, myst-parser, jupyter-cache: `glue` needs only IPython, nbformat and docutils).
packages=(
  keras namex optree
  papermill entrypoints tenacity nbclient nbformat fastjsonschema jsonschema
  jsonschema-specifications referencing rpds-py
  ipykernel jupyter_client jupyter_core platformdirs traitlets pyzmq tornado comm
  nest-asyncio2 matplotlib-inline
  ipython ipython-pygments-lexers pexpect ptyprocess prompt_toolkit wcwidth
  stack_data executing asttokens pure_eval
  myst-nb docutils
)

pins=()
for name in "${packages[@]}"; do
  version="$("$python" -c 'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' \
             "$name")" \
    || { echo "$name is not installed in $python: run 'bash .ci/run book' first" >&2; exit 1; }
  pinned="$(grep -i -E "^${name//[-_]/[-_]}==" requirements.txt | cut -d= -f3 || true)"
  if [ -n "$pinned" ] && [ "$pinned" != "$version" ]; then
    echo "$name: requirements.txt pins $pinned but $python has $version" >&2; exit 1
  fi
  pins+=("$name==$version")
done

rm -rf "$dest"
mkdir -p "$dest"
# One call: pip picks a py3-none-any wheel where there is one, else the cp$pyver x86-64 build
# for any of these manylinux levels (pip matches each level exactly).
platforms=()
for tag in manylinux_2_39 manylinux_2_35 manylinux_2_34 manylinux_2_31 manylinux_2_28 \
           manylinux_2_27 manylinux_2_26 manylinux_2_24 manylinux_2_17 manylinux2014 manylinux1; do
  platforms+=(--platform "${tag}_x86_64")
done
"$python" -m pip download --quiet --no-deps --only-binary=:all: --python-version "$pyver" \
  --implementation cp "${platforms[@]}" -d "$dest" "${pins[@]}"

count="$(ls "$dest"/*.whl | wc -l)"
if [ "$count" -ne "${#packages[@]}" ]; then
  echo "expected ${#packages[@]} wheels, got $count" >&2; exit 1
fi
echo "$count wheels in $dest: $(du -sh "$dest" | cut -f1) ($(du -sb "$dest" | cut -f1) bytes)"
