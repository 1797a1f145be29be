#!/usr/bin/env bash
# Build dist/aeon-studio_<version>_<arch>.deb from the one-folder bundle in dist/aeon-studio/ (`make bundle`).
# The app goes to /opt/aeon-studio, `aeon-studio` on the PATH, a menu entry and hicolor icons (48-512 px + SVG).
#   packaging/build-deb.sh [BUNDLE_DIR] [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${1:-$root/dist/aeon-studio}
out=${2:-$root/dist}
if [[ ! -x "$bundle/aeon-studio" ]]; then
  echo "error: no bundle at $bundle (the executable $bundle/aeon-studio is missing); run 'make bundle' first" >&2
  exit 2
fi
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/aeon_studio/__init__.py")
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/aeon-studio

mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" \
         "$pkg/usr/share/icons/hicolor/scalable/apps" "$pkg/usr/share/doc/aeon-studio"
cp -a "$bundle" "$pkg/opt/aeon-studio"
ln -s /opt/aeon-studio/aeon-studio "$pkg/usr/bin/aeon-studio"
# The menu entry starts the GUI: the bundled executable with no command.
sed -e 's|^Exec=.*|Exec=/opt/aeon-studio/aeon-studio|' -e 's|^TryExec=.*||' \
    "$root/resources/aeon-studio.desktop" > "$pkg/usr/share/applications/aeon-studio.desktop"
for dir in "$root"/resources/icons/hicolor/*x*; do
  size=$(basename "$dir")
  install -D -m 0644 "$dir/aeon-studio.png" "$pkg/usr/share/icons/hicolor/$size/apps/aeon-studio.png"
done
install -m 0644 "$root/resources/icons/aeon-studio.svg" "$pkg/usr/share/icons/hicolor/scalable/apps/aeon-studio.svg"
install -m 0644 "$root/LICENSE" "$pkg/usr/share/doc/aeon-studio/copyright"

installed_kb=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: aeon-studio
Version: $version
Architecture: $arch
Maintainer: Aeon Studio developers <aeon-studio@localhost>
Installed-Size: $installed_kb
Depends: libc6, libgl1, libegl1, libfontconfig1, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libdbus-1-3
Section: utils
Priority: optional
Description: local-first studio for your personal AI assistant
 Chat with a local assistant, rate its replies, build datasets and retrain it
 with LoRA on your own machine. Every retrain is evaluated and used only when
 it is better. Includes the embedded SmolLM2 chat model.
CONTROL
# Refresh the menu and icon caches where the tools exist (they are optional on minimal systems).
for script in postinst postrm; do
  cat > "$pkg/DEBIAN/$script" <<'HOOK'
#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true; fi
exit 0
HOOK
  chmod 0755 "$pkg/DEBIAN/$script"
done

mkdir -p "$out"
deb="$out/aeon-studio_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$pkg" "$deb" >/dev/null
echo "$deb"
