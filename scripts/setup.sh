#!/usr/bin/env bash
# Set up (or update) the virtual environment in .venv.
#   scripts/setup.sh          app dependencies
#   scripts/setup.sh --dev    plus the test tools
# llama-cpp-python has no wheel on PyPI and takes 10-20 minutes to compile, so it is
# built once into a wheelhouse outside the repo and reused by every later setup and CI
# run (AEON_WHEELHOUSE moves it).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${AEON_VENV:-.venv}
WHEELHOUSE=${AEON_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/aeon-studio/wheels}
LLAMA_CPP_VERSION=0.3.36
# A CPU build of torch. A bare 'torch' requirement pulls a multi-GB CUDA build; elsewhere
# set AEON_TORCH="torch --index-url https://download.pytorch.org/whl/cpu" if 2.13.0 is not at hand.
AEON_TORCH=${AEON_TORCH:-torch==2.13.0}

extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
  say "Creating virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip --disable-pip-version-check)

if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  say "Installing PyTorch (CPU) first"
  # shellcheck disable=SC2086
  "${pip[@]}" install -q $AEON_TORCH
fi

mkdir -p "$WHEELHOUSE"
if ! ls "$WHEELHOUSE"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl >/dev/null 2>&1; then
  say "Building llama-cpp-python $LLAMA_CPP_VERSION once (10-20 minutes); the wheel is kept in $WHEELHOUSE"
  CMAKE_ARGS="-DGGML_NATIVE=OFF ${CMAKE_ARGS:-}" "${pip[@]}" wheel -q --no-deps \
    "llama-cpp-python==$LLAMA_CPP_VERSION" -w "$WHEELHOUSE"
fi

say "Installing Aeon Studio$extras"
"${pip[@]}" install -q --find-links "$WHEELHOUSE" -e ".$extras"
say "Ready: $VENV/bin/aeon-studio"
