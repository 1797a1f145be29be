#!/usr/bin/env bash
# Build the one-folder app and the .deb, then use them as a user would, away from the source tree:
# --help, a chat reply, the GUI window, a quick training through the bundled worker, memory, GGUF export,
# and the .deb's files and menu entry. Run by .ci/run after the tests.
#   scripts/bundle_smoke.sh [--no-build]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ "${1:-}" != "--no-build" ]]; then
  start=$(date +%s)
  make bundle
  echo "bundle built in $(( $(date +%s) - start )) s"
fi
exe=$root/dist/aeon-studio/aeon-studio
[[ -x "$exe" ]] || { echo "FAIL: $exe is missing" >&2; exit 1; }
echo "bundle size: $(du -sh "$root/dist/aeon-studio" | cut -f1)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fresh data folder, no source tree or virtualenv on any path, offline, no display.
export AEON_STUDIO_HOME=$work/home HF_HUB_OFFLINE=1 QT_QPA_PLATFORM=offscreen AEON_STUDIO_LANGUAGE=en
unset PYTHONPATH VIRTUAL_ENV PYTHONHOME
export PATH=/usr/bin:/bin
cd "$work"
step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "--help"
"$exe" --help >"$work/help.txt" || fail "--help exited $?"
grep -q "aeon-studio" "$work/help.txt" || fail "--help printed no usage"

step "chat --once (the embedded SmolLM2)"
"$exe" chat --once "What is the capital of France?" --json --seed 0 >"$work/chat.json" || fail "chat exited $?"
grep -q "Paris" "$work/chat.json" || { cat "$work/chat.json"; fail "the reply does not say Paris"; }

step "the GUI shows its window"
AEON_STUDIO_WELCOME_DONE=1 AEON_STUDIO_QUIT_AFTER_SHOW=1 "$exe" >"$work/gui.json" || fail "the GUI exited $?"
grep -q '"window_shown": true' "$work/gui.json" || { cat "$work/gui.json"; fail "no window"; }
cat "$work/gui.json"

step "memory add / search (the embedded MiniLM)"
"$exe" memory add "My dog is called Rex." >/dev/null || fail "memory add exited $?"
"$exe" memory search "what is my dog's name" --json >"$work/memory.json" || fail "memory search exited $?"
grep -q "Rex" "$work/memory.json" || { cat "$work/memory.json"; fail "memory search did not find the fact"; }
"$exe" memory add "Sou vegetariana há seis anos." >/dev/null || fail "memory add exited $?"
"$exe" memory status --json >"$work/memory-status.json" || fail "memory status exited $?"
grep -q '"glossary": *"[^"]*dictd"' "$work/memory-status.json" \
  || { cat "$work/memory-status.json"; fail "the bundled Portuguese-English dictionaries were not found"; }
"$exe" memory search "Eu como carne?" --json >"$work/memory-pt.json" || fail "memory search exited $?"
grep -q "vegetariana" "$work/memory-pt.json" || { cat "$work/memory-pt.json"; fail "the Portuguese question did not find its fact"; }

step "dataset identity + train --preset quick (the bundled worker)"
"$exe" dataset identity --name who --assistant-name Quillon --creator Ana >/dev/null || fail "dataset identity exited $?"
"$exe" train --dataset who --preset quick --max-steps 2 --json-events >"$work/train.jsonl" \
  || { rc=$?; tail -5 "$work/train.jsonl"; cat "$AEON_STUDIO_HOME"/runs/*/worker.log 2>/dev/null | tail -20; fail "train exited $rc"; }
grep -q '"event": *"done"' "$work/train.jsonl" || { tail -5 "$work/train.jsonl"; fail "no done event"; }
adapter=$("$exe" adapters list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null \
  || sed -n 's/.*"adapter": *"\([^"]*\)".*/\1/p' "$work/train.jsonl" | tail -1)
[[ -n "$adapter" ]] || fail "no adapter registered"

step "export gguf $adapter"
"$exe" export gguf "$adapter" --json >"$work/export.json" || { rc=$?; cat "$work/export.json"; fail "export exited $rc"; }
grep -q '"verified": *true' "$work/export.json" || grep -q '\.gguf' "$work/export.json" \
  || { cat "$work/export.json"; fail "no verified GGUF"; }

step ".deb: build, unpack into a scratch root, check files and the menu entry"
cd "$root"
deb=$(packaging/build-deb.sh)
echo "$deb ($(du -h "$deb" | cut -f1))"
# Read the field into a variable: `dpkg-deb --info | grep -q` can fail under pipefail when grep closes the pipe early.
package=$(dpkg-deb --field "$deb" Package) || fail "dpkg-deb cannot read the control file of $deb"
[[ $package == aeon-studio ]] || { dpkg-deb --info "$deb" >&2; fail "bad control file: Package is '$package'"; }
scratch=$work/root
dpkg-deb -x "$deb" "$scratch"
[[ -x $scratch/opt/aeon-studio/aeon-studio ]] || fail "/opt/aeon-studio/aeon-studio missing"
[[ "$(readlink "$scratch/usr/bin/aeon-studio")" == /opt/aeon-studio/aeon-studio ]] || fail "no aeon-studio on the PATH"
desktop=$scratch/usr/share/applications/aeon-studio.desktop
[[ -f $desktop ]] || fail "no desktop entry"
grep -q '^Exec=/opt/aeon-studio/aeon-studio' "$desktop" || fail "the desktop entry does not start the app"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop" || fail "desktop-file-validate"; fi
for size in 48x48 64x64 128x128 256x256 512x512; do
  [[ -f $scratch/usr/share/icons/hicolor/$size/apps/aeon-studio.png ]] || fail "no $size icon"
done
[[ -f $scratch/usr/share/icons/hicolor/scalable/apps/aeon-studio.svg ]] || fail "no SVG icon"
"$scratch/opt/aeon-studio/aeon-studio" --version || fail "the unpacked app does not start"
echo "bundle smoke test passed"
