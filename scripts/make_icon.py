"""Draw the app icon (resources/icons/aeon-studio.png, 256 px, .svg, and hicolor/<size>/ for the .deb) with QPainter: a rounded
indigo-to-teal square with a white speech bubble holding a four-point spark."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
HICOLOR_SIZES = (48, 64, 128, 256, 512)

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4f46e5"/>
<stop offset="1" stop-color="#0d9488"/></linearGradient></defs>
<rect x="8" y="8" width="240" height="240" rx="56" fill="url(#g)"/>
<path d="M64 64 H192 A24 24 0 0 1 216 88 V156 A24 24 0 0 1 192 180 H112 L76 210 V180 H64
A24 24 0 0 1 40 156 V88 A24 24 0 0 1 64 64 Z" fill="#ffffff"/>
<path d="M128 82 Q134 116 164 122 Q134 128 128 162 Q122 128 92 122 Q122 116 128 82 Z" fill="#4f46e5"/>
</svg>
"""


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - needed by QPainter
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "aeon-studio.svg").write_text(SVG, encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(SVG.encode()))

    def draw(size: int, path: Path) -> None:
        img = QImage(size, size, QImage.Format.Format_ARGB32)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(p, QRectF(0, 0, size, size))
        p.end()
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(str(path))
        print(path)

    draw(256, OUT / "aeon-studio.png")
    for size in HICOLOR_SIZES:  # the Debian package's icon theme sizes (packaging/build-deb.sh)
        draw(size, OUT / "hicolor" / f"{size}x{size}" / "aeon-studio.png")


if __name__ == "__main__":
    main()
