"""The promotion gate: is the candidate at least as good as the model it would replace?

The candidate is promoted only when, on the same frozen set, its golden pass rate is not lower, its
held-out perplexity is not worse by more than a tolerance, no degeneration count (empty, repetitive,
cut replies) is higher and its identity hit rate is not lower. Every verdict says why, in plain words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..i18n import _


@dataclass
class Verdict:
    """``promoted`` is None when there was nothing to judge by (then nothing is promoted silently)."""

    promoted: bool | None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"promoted": self.promoted, "reasons": list(self.reasons)}


def _decimal(value: float, pattern: str) -> str:
    """``value`` with the user's decimal separator (Babel's CLDR data: "9,7" in pt_BR, "9.7" in English)."""
    from babel.core import UnknownLocaleError
    from babel.numbers import format_decimal

    from ..i18n import current_language

    try:
        return format_decimal(value, format=pattern, locale=current_language() or "en")
    except (UnknownLocaleError, ValueError):  # a tag CLDR does not know ("C", "POSIX"): English digits
        return format_decimal(value, format=pattern, locale="en")


def _num(value: float) -> str:
    # three significant digits below 100 (14.2, 9.71, 0.523), whole numbers above
    if abs(value) >= 100:
        return _decimal(value, "0")
    digits = max(0, 2 - int(math.floor(math.log10(abs(value))))) if value else 0
    return _decimal(round(value, digits), "0." + "#" * digits if digits else "0")


def _percent(before: float, after: float) -> str:
    change = (after - before) / before * 100 if before else 0.0
    sign = "−" if change < 0 else "+"
    return f"{sign}{abs(change):.0f} %"


def _rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def judge(comparison: Any, *, tolerance: float | None = None) -> Verdict:
    """The gate's verdict on ``comparison`` (a :class:`~aeon_studio.core.evaluation.evaluate.Comparison`).

    Args:
        tolerance: how much worse (a fraction: 0.02 = 2 %) the candidate's perplexity may be; default the
            setting ``gate_ppl_tolerance``.
    """
    if tolerance is None:
        from ..settings import get_settings

        tolerance = get_settings().gate_ppl_tolerance
    cand, prev = comparison.candidate, comparison.against
    reasons: list[str] = []
    failed = False
    judged = False

    if cand.perplexity is not None and prev.perplexity is not None:
        judged = True
        text = _("perplexity {a} → {b} ({change})").format(a=_num(prev.perplexity), b=_num(cand.perplexity),
                                                            change=_percent(prev.perplexity, cand.perplexity))
        if cand.perplexity > prev.perplexity * (1 + tolerance):
            failed = True
            text = _("{change}: worse than allowed ({tolerance} %)").format(
                change=text, tolerance=_decimal(tolerance * 100, "0.##"))
        reasons.append(text)

    if cand.golden_total and prev.golden_total:
        judged = True
        text = _("golden {a}/{n} → {b}/{m}").format(a=prev.golden_passed, n=prev.golden_total,
                                                     b=cand.golden_passed, m=cand.golden_total)
        if _rate(cand.golden_passed, cand.golden_total) < _rate(prev.golden_passed, prev.golden_total):
            failed = True
            text = _("{change}: fewer golden prompts pass").format(change=text)
        reasons.append(text)

    if cand.identity_total and prev.identity_total:
        judged = True
        text = _("identity {a}/{n} → {b}/{m}").format(a=prev.identity_hits or 0, n=prev.identity_total,
                                                       b=cand.identity_hits or 0, m=cand.identity_total)
        if _rate(cand.identity_hits or 0, cand.identity_total) < _rate(prev.identity_hits or 0, prev.identity_total):
            failed = True
            text = _("{change}: it names itself less often").format(change=text)
        reasons.append(text)

    if not judged:
        return Verdict(None, [_("nothing to judge by: no held-out examples and no golden prompts were scored; "
                                "add golden prompts or rate more replies, or promote it by hand")])

    labels = {"empty": _("empty replies {a} → {b}"), "repetitive": _("repetitive replies {a} → {b}"),
              "cut": _("replies cut at the length limit {a} → {b}")}
    worse = [labels[k].format(a=getattr(prev, k), b=getattr(cand, k)) for k in ("empty", "repetitive", "cut")
             if getattr(cand, k) > getattr(prev, k)]
    if worse:
        failed = True
        reasons.extend(worse)
    elif not (cand.empty or cand.repetitive or cand.cut):
        reasons.append(_("no degeneration"))
    else:
        reasons.append(_("no more degenerate replies than before"))

    reasons.append(_("not promoted") if failed else _("promoted"))
    return Verdict(not failed, reasons)
