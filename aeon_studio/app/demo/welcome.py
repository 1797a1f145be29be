"""The first-run welcome's screenshot (scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from aeon_studio.app.context import AppContext


def render_welcome(ctx: AppContext, out_dir, *, demo: bool = True):
    """Screenshot of the welcome shown on the first start (``welcome.png``), in the current language."""
    from aeon_studio.app.shared.render import save_grab
    from aeon_studio.app.welcome import WelcomeDialog

    dialog = WelcomeDialog()
    dialog.adjustSize()
    dialog.show()
    path = save_grab(dialog, out_dir, "welcome.png")
    dialog.close()
    return path
