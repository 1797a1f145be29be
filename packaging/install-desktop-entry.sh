#!/usr/bin/env bash
# Install a desktop entry and icon for the current user, pointing at this checkout's venv,
# so Aeon Studio can be started from the application menu (double-click).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
apps=${XDG_DATA_HOME:-$HOME/.local/share}/applications
icons=${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps
mkdir -p "$apps" "$icons"
cp "$root/resources/icons/aeon-studio.png" "$icons/aeon-studio.png"
sed "s|^Exec=.*|Exec=$root/.venv/bin/aeon-studio-gui|" "$root/resources/aeon-studio.desktop" > "$apps/aeon-studio.desktop"
echo "Installed $apps/aeon-studio.desktop"
