#!/usr/bin/env bash
# dist/aeon-studio-<version>-linux-<arch>.tar.gz: the one-folder bundle, its install script, menu entry and icons.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${1:-$root/dist/aeon-studio}
out=${2:-$root/dist}
[[ -x "$bundle/aeon-studio" ]] || { echo "error: no bundle at $bundle; run 'make bundle' first" >&2; exit 2; }
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/aeon_studio/__init__.py")
name=aeon-studio-$version-linux-$(uname -m)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/share/icons/hicolor/scalable/apps"
cp -a "$bundle" "$stage/$name/aeon-studio"
install -m 0755 "$root/packaging/install-bundle.sh" "$stage/$name/install.sh"
cp "$root/resources/aeon-studio.desktop" "$stage/$name/share/aeon-studio.desktop"
for dir in "$root"/resources/icons/hicolor/*x*; do
  install -D -m 0644 "$dir/aeon-studio.png" "$stage/$name/share/icons/hicolor/$(basename "$dir")/apps/aeon-studio.png"
done
cp "$root/resources/icons/aeon-studio.svg" "$stage/$name/share/icons/hicolor/scalable/apps/"
mkdir -p "$out"
tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
