"""Numbers as the user's language writes them ("9,70" in pt_BR, "9.70" in English), through QLocale.

The locale is the app's language (the ``language`` setting / ``AEON_STUDIO_LANGUAGE``), not the system's: a
Portuguese window on an English system still writes decimal commas.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QDateTime, QLocale

from aeon_studio.core.i18n import current_language


def locale() -> QLocale:
    """The QLocale of the app's language (English digits for a tag Qt does not know, e.g. "C")."""
    lang = current_language()
    found = QLocale(lang)
    return found if lang and found.language() != QLocale.Language.C else QLocale(QLocale.Language.English)


def number(value: Any, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals in the user's language; "—" for a missing value."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "—"
    return locale().toString(float(value), "f", digits)



def _local(moment: datetime) -> datetime:
    # the database keeps UTC (naive); the user reads their own clock
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone()


def when(moment: datetime | None) -> str:
    """A date and time as the user's language writes it, in local time ("—" when unknown)."""
    if moment is None:
        return "—"
    local = _local(moment)
    return locale().toString(QDateTime(local.date(), local.time().replace(microsecond=0)),
                             QLocale.FormatType.ShortFormat)


def day(moment: datetime | None, *, with_time: bool = False) -> str:
    """A short day label for a chart axis ("23 Nov" / "23 nov"), with the time when asked."""
    if moment is None:
        return "?"
    local = _local(moment)
    text = locale().toString(local.date(), "d MMM")
    return f"{text} {locale().toString(local.time(), QLocale.FormatType.ShortFormat)}" if with_time else text
