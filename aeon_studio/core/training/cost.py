"""The estimated cost of a training run: how long its worker ran × what an hour of the machine costs.

The price is the ``machine_hourly_price`` setting (in ``machine_currency``; 0, the default, shows no cost), as a
rented GPU box or a metered machine bills it. It is recorded in the run when the run is created (a later change
of the setting does not rewrite what past runs cost), and the cost is folded into the run's metrics when the run
ends (:func:`fold`): ``run_seconds``, ``cost`` and ``currency``. The time is the worker's, read from the times of
its events, so a run resumed three times is billed for its three sessions and not for the hours in between.
Amounts are written as the user's language writes money (Babel's CLDR data: "$0.42", "US$ 0,42", "R$ 2,10").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..i18n import _, current_language
from .events import FINAL, Event, Preflight, Resume, Start


def price_now() -> dict[str, Any] | None:
    """``{"hourly": price, "currency": code}`` from the settings, or ``None`` when no price is set (0)."""
    from ..settings import get_settings

    s = get_settings()
    if not s.machine_hourly_price:
        return None
    return {"hourly": float(s.machine_hourly_price), "currency": s.machine_currency}


def run_seconds(events: Iterable[Event]) -> float | None:
    """Seconds the run's worker ran: each session from its first event to its last, summed (``None`` when the
    events carry no times).

    A session ends with a final event or where the next one begins: a ``preflight`` (every peft worker writes one
    first), or a ``resume``/``start`` after the session already started training (a killed worker writes no final
    event; the unsloth backend writes no preflight)."""
    total, first, last, started = 0.0, None, None, False
    for ev in events:
        if ev.time is None:
            continue
        new = first is None or isinstance(ev, Preflight) or (started and isinstance(ev, (Resume, Start)))
        if new and first is not None:
            total += last - first
            first, started = None, False
        if first is None:
            first = ev.time
        last = ev.time
        started = started or isinstance(ev, Start)
        if isinstance(ev, FINAL):
            total += last - first
            first, started = None, False
    if first is not None:
        total += last - first
    return total if last is not None else None


def fold(metrics: dict[str, Any], events: list[Event]) -> dict[str, Any]:
    """The metrics of an ended run with its ``run_seconds`` and, when the run recorded a price, its ``cost``
    (rounded to 1/10000 of the currency) and ``currency``."""
    seconds = run_seconds(events)
    if seconds is None:
        return metrics
    out = {**metrics, "run_seconds": round(seconds, 1)}
    price = metrics.get("price") or {}
    if isinstance(price.get("hourly"), (int, float)) and price["hourly"] > 0:
        out.update(cost=round(seconds / 3600 * price["hourly"], 4), currency=price.get("currency") or "USD")
    return out


def money(amount: float, currency: str) -> str:
    """``amount`` of ``currency`` as the user's language writes it ("$0.42" in English, "US$ 0,42" in pt_BR)."""
    from babel.core import UnknownLocaleError
    from babel.numbers import format_currency

    try:
        return format_currency(amount, currency, locale=current_language() or "en")
    except (UnknownLocaleError, ValueError):  # a tag CLDR does not know ("C", "POSIX"): English
        return format_currency(amount, currency, locale="en")


def _duration(seconds: float) -> str:
    from babel.core import UnknownLocaleError
    from babel.dates import format_timedelta

    try:
        return format_timedelta(seconds, locale=current_language() or "en", threshold=1.5)
    except (UnknownLocaleError, ValueError):
        return format_timedelta(seconds, locale="en", threshold=1.5)


def cost_amount(metrics: dict[str, Any]) -> str | None:
    """The run's cost as money ("$0.42"; "less than $0.01" for a few seconds), or ``None`` without a price."""
    cost, currency = metrics.get("cost"), metrics.get("currency")
    if not isinstance(cost, (int, float)) or not currency:
        return None
    if 0 < cost < 0.01:  # a cent is the smallest amount a bill shows
        return _("less than {cost}").format(cost=money(0.01, currency))
    return money(cost, currency)


def cost_text(metrics: dict[str, Any]) -> str | None:
    """One sentence: what the run cost, for how long, at what price (``None`` when no price was set)."""
    amount = cost_amount(metrics)
    if amount is None:
        return None
    price = metrics.get("price") or {}
    return _("Estimated cost: {cost} ({duration} at {price} an hour).").format(
        cost=amount, duration=_duration(float(metrics.get("run_seconds") or 0)),
        price=money(float(price.get("hourly") or 0), metrics["currency"]))
