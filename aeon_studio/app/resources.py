"""Paths to files in the top-level ``resources/`` folder."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def icon_path() -> Path:
    return RESOURCES / "icons" / "aeon-studio.png"
