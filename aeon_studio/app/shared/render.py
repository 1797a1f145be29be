"""Rendering widgets to PNG for ``scripts/screenshots.py`` and the tabs' ``render_*`` hooks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget


def save_grab(widget: QWidget, out_dir: str | Path, filename: str, *, dispose: bool = True) -> Path:
    """Grab ``widget`` to ``out_dir/filename`` (folders created); with ``dispose`` close and delete it after."""
    out = Path(out_dir) / filename
    out.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(out))
    if dispose:
        widget.close()
        widget.deleteLater()
    return out
