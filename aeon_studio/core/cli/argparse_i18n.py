"""argparse's own words ("usage:", "options", "show this help message and exit", its errors) in the user's
language.

argparse looks its texts up through its module-level ``_``/``ngettext`` names each time it writes one, so pointing
them at the app's catalogue translates them with the rest (``resources/translations/pt_BR/argparse.po``), with no
``.mo`` files or gettext domain to install. The msgids are the ones Python's argparse uses (3.11–3.13).
"""

from __future__ import annotations

import argparse

from ..i18n import _, ngettext


def install() -> None:
    """Route argparse's texts through :func:`aeon_studio.core.i18n._` (idempotent; English stays as it is)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
