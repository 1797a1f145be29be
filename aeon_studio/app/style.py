"""The app's one Qt style sheet, light or dark, loaded once at start.

``resources/style/aeon.qss`` holds every rule; its ``@token`` colours come from ``resources/style/themes.toml``.
The theme follows the system palette (dark when the palette's window colour is dark) unless
``AEON_STUDIO_THEME=dark|light`` forces one; a forced theme the system does not have also gets its palette
(Fusion style), so native controls match the style sheet. Widgets opt in by object name or by a dynamic
property (``tone``, ``on``, ``forgotten``, ``emphasis``); :func:`set_style_property` changes one later.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from aeon_studio.app.resources import RESOURCES

log = logging.getLogger(__name__)

Theme = Literal["light", "dark"]
THEMES: tuple[Theme, ...] = ("light", "dark")
#: Environment variable that forces a theme; anything else than these values follows the system.
THEME_ENV = "AEON_STUDIO_THEME"
STYLE_DIR = RESOURCES / "style"
#: Application property holding the theme in use (``"light"``/``"dark"``), for code that draws by hand.
THEME_PROPERTY = "aeonTheme"
_TOKEN = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@lru_cache(maxsize=1)
def _themes() -> dict:
    with open(STYLE_DIR / "themes.toml", "rb") as fh:
        return tomllib.load(fh)


def theme_colours(theme: Theme) -> dict[str, str]:
    """The ``@token`` → colour table of ``theme`` (without its palette)."""
    return {k: v for k, v in _themes()[theme].items() if isinstance(v, str)}


def style_sheet(theme: Theme) -> str:
    """``aeon.qss`` with the colours of ``theme`` filled in.

    Raises:
        KeyError: the sheet names a token the theme does not define (a typo in one of the two files).
    """
    colours = theme_colours(theme)
    template = _COMMENT.sub("", (STYLE_DIR / "aeon.qss").read_text(encoding="utf-8"))
    return _TOKEN.sub(lambda m: colours[m.group(1)], template)


def palette_is_dark(palette: QPalette) -> bool:
    """Whether a palette is a dark one: its window colour is darker than mid-grey."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def forced_theme(env: Mapping[str, str] = os.environ) -> Theme | None:
    """The theme ``AEON_STUDIO_THEME`` asks for, or None to follow the system."""
    value = env.get(THEME_ENV, "").strip().lower()
    if value in THEMES:
        return value  # type: ignore[return-value]
    if value not in ("", "system", "auto"):
        log.warning("%s=%r is not dark, light or system: following the system palette", THEME_ENV, value)
    return None


def theme_palette(theme: Theme) -> QPalette:
    """The palette a forced ``theme`` runs with: Fusion's own for light, ``[dark.palette]`` for dark."""
    palette = QStyleFactory.create("Fusion").standardPalette()
    if theme == "light":
        return palette
    table = _themes()["dark"]["palette"]
    for group, colours in ((None, table), (QPalette.ColorGroup.Disabled, table.get("disabled", {}))):
        for role, value in colours.items():
            if not isinstance(value, str):
                continue
            r = getattr(QPalette.ColorRole, role)
            if group is None:
                palette.setColor(r, QColor(value))  # every group: active, inactive and disabled
            else:
                palette.setColor(group, r, QColor(value))
    return palette


def apply_style(app: QApplication, theme: Theme | None = None) -> Theme:
    """Give ``app`` the style sheet (and, for a forced theme the system lacks, its palette).

    Args:
        app: the application.
        theme: ``"light"``/``"dark"``; None reads ``AEON_STUDIO_THEME``, then the system palette.

    Returns:
        The theme applied, also kept in the application property ``aeonTheme``.
    """
    theme = theme or forced_theme()
    system_dark = palette_is_dark(QGuiApplication.palette())
    if theme is None:
        theme = "dark" if system_dark else "light"
    elif (theme == "dark") != system_dark:
        # The platform style may ignore a palette; Fusion always follows it.
        app.setStyle("Fusion")
        app.setPalette(theme_palette(theme))
    app.setStyleSheet(style_sheet(theme))
    app.setProperty(THEME_PROPERTY, theme)
    log.debug("style: %s theme", theme)
    return theme


def follow_system(app: QApplication) -> None:
    """Re-apply the sheet when the desktop switches between light and dark (unless a theme is forced)."""
    def changed(_scheme: Qt.ColorScheme) -> None:
        if forced_theme() is None:
            # once the event loop has the new system palette in place
            QTimer.singleShot(0, app, lambda: apply_style(app))

    app.styleHints().colorSchemeChanged.connect(changed)


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the style sheet matches on, and restyle ``widget`` at once.

    Qt evaluates property selectors when a widget is polished; a property that changes later needs the
    widget re-polished to show it.
    """
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
