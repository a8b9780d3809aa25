#!/usr/bin/env bash
# `make notebooks`: regenerates every export under notebooks-export/ from real runs.
#  1. a virtual environment with jupyter, nbconvert and matplotlib from PyPI;
#  2. a release build of the examples;
#  3. each notebook executed (it runs its example binary, fixed seeds) — any cell error fails the script;
#  4. exports to HTML and to Markdown with PNG figures.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-notebooks
if [ ! -x "$VENV/bin/jupyter" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet jupyter nbconvert nbformat nbclient ipykernel matplotlib numpy
fi
make release
export RICCATIKIT_ROOT="$PWD"
export RICCATIKIT_BIN="$(swift build -c release --show-bin-path)"
export PYTHONHASHSEED=0
mkdir -p notebooks-export
for notebook in notebooks/*.ipynb; do
    name="$(basename "$notebook" .ipynb)"
    echo "== $name"
    export RICCATIKIT_OUT="$PWD/out/$name"
    executed="notebooks-export/$name.ipynb"
    "$VENV/bin/jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 \
        --output-dir notebooks-export --output "$name" "$notebook"
    "$VENV/bin/jupyter" nbconvert --to html --output-dir notebooks-export "$executed"
    rm -rf "notebooks-export/${name}_files"
    "$VENV/bin/jupyter" nbconvert --to markdown --output-dir notebooks-export "$executed"
done
echo "exports written to notebooks-export/"
