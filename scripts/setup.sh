#!/usr/bin/env bash
# Set up (or update) the virtual environment in .venv.
#   scripts/setup.sh          app dependencies
#   scripts/setup.sh --dev    plus the test tools
# llama-cpp-python has no wheel on PyPI and takes 10-20 minutes to compile, so it is
# built once into a wheelhouse outside the repo and reused by every later setup and CI
# run (AEON_WHEELHOUSE moves it). It is built for this CPU (fastest kernels, and the
# same numerics the tests were written against); the wheelhouse has one folder per CPU
# feature set, so a copied cache never runs instructions the CPU lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${AEON_VENV:-.venv}
cpu_signature() {
  { uname -m; grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null | tr ' \t' '\n\n' | sort -u; } \
    | sha256sum | cut -c1-12
}
WHEELHOUSE=${AEON_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/aeon-studio/wheels}/$(uname -m)-$(cpu_signature)
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
  "${pip[@]}" wheel -q --no-deps --no-cache-dir \
    "llama-cpp-python==$LLAMA_CPP_VERSION" -w "$WHEELHOUSE"
fi

"${pip[@]}" install -q --no-deps --find-links "$WHEELHOUSE" --only-binary llama-cpp-python \
  "llama-cpp-python==$LLAMA_CPP_VERSION"
# Memory's Portuguese→English dictionary (FreeDict, GPL-2.0-or-later, from Debian's packages): the shipped
# embedding model is English-first, and recall in Portuguese goes through English glosses made with it. Taken
# with `apt-get download` (no root needed) into a cache beside the wheelhouse, then into the venv. Without apt,
# memory works without it (recall in Portuguese is weaker; `aeon-studio memory status` says so).
DICTD="$VENV/share/aeon-studio/dictd"
DEB_CACHE=${AEON_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/aeon-studio/wheels}/debs
if [ ! -f "$DICTD/freedict-por-eng.index" ] || [ ! -f "$DICTD/freedict-eng-por.index" ]; then
  mkdir -p "$DEB_CACHE"
  for pkg in dict-freedict-por-eng dict-freedict-eng-por; do
    if ! ls "$DEB_CACHE/${pkg}_"*.deb >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
      say "Downloading $pkg (memory's Portuguese-English dictionary)"
      (cd "$DEB_CACHE" && apt-get download -q "$pkg" 2>/dev/null) || true
    fi
  done
  if ls "$DEB_CACHE"/dict-freedict-*.deb >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    unpacked=$(mktemp -d)
    for deb in "$DEB_CACHE"/dict-freedict-por-eng_*.deb "$DEB_CACHE"/dict-freedict-eng-por_*.deb; do
      [ -f "$deb" ] && dpkg-deb -x "$deb" "$unpacked"
    done
    mkdir -p "$DICTD"
    cp "$unpacked"/usr/share/dictd/freedict-por-eng.* "$unpacked"/usr/share/dictd/freedict-eng-por.* "$DICTD"/ 2>/dev/null || true
    cp "$unpacked"/usr/share/doc/dict-freedict-por-eng/copyright "$DICTD/COPYRIGHT" 2>/dev/null || true
    rm -rf "$unpacked"
  fi
  [ -f "$DICTD/freedict-por-eng.index" ] && [ -f "$DICTD/freedict-eng-por.index" ] || \
    say "Note: no Portuguese-English dictionaries (they come from apt); memory recall in Portuguese will be weaker"
fi

say "Installing Aeon Studio$extras"
"${pip[@]}" install -q --find-links "$WHEELHOUSE" -e ".$extras"
say "Ready: $VENV/bin/aeon-studio"
