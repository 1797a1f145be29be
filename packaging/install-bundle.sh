#!/usr/bin/env bash
# Install the one-folder app from the tarball (dist/aeon-studio-<version>-linux-<arch>.tar.gz) for this user:
# the app in ~/.local/opt/aeon-studio, `aeon-studio` in ~/.local/bin, a menu entry and icons in ~/.local/share.
#   ./install.sh            install (run from the unpacked folder)
#   ./install.sh --uninstall
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
prefix=$HOME/.local/opt/aeon-studio
bin=$HOME/.local/bin
if [[ "${1:-}" == "--uninstall" ]]; then
  rm -rf "$prefix" "$bin/aeon-studio" "$data/applications/aeon-studio.desktop"
  find "$data/icons/hicolor" -name 'aeon-studio.*' -delete 2>/dev/null || true
  echo "Aeon Studio removed (your chats and models in $data/aeon-studio are kept)."
  exit 0
fi
if [[ ! -x "$here/aeon-studio/aeon-studio" ]]; then
  echo "error: $here/aeon-studio/aeon-studio not found; run this script from the unpacked tarball" >&2
  exit 2
fi
rm -rf "$prefix"
mkdir -p "$(dirname "$prefix")" "$bin" "$data/applications"
cp -a "$here/aeon-studio" "$prefix"
ln -sfn "$prefix/aeon-studio" "$bin/aeon-studio"
sed "s|^Exec=.*|Exec=\"$prefix/aeon-studio\"|" "$here/share/aeon-studio.desktop" > "$data/applications/aeon-studio.desktop"
cp -r "$here/share/icons" "$data/"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Installed: $bin/aeon-studio and a menu entry (Aeon Studio)."
